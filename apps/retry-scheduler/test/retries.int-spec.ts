import { AttemptStatus, MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import {
  SchedulerHarness,
  TEST_DATABASES,
  failedEventOf,
  failedRow,
  type TestDatabase,
} from './support/scheduler-harness';

// The retry scheduler as it runs, in this process, against the real broker and a real database: the test plays the
// executor (rows and failed/fatal events) and reads what the scheduler writes to the tables and topics.

describe.each(TEST_DATABASES)('the retry scheduler on $name', ({ create }) => {
  let database: TestDatabase;
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    database = await create();
    scheduler = await SchedulerHarness.start(database.settings);
    const { topics } = scheduler;
    await Promise.all(
      [topics.events, topics.deadletter, topics.logs].map((topic) => scheduler.collect(topic)),
    );
  });

  afterAll(async () => {
    await scheduler?.stop();
    await database?.dispose();
  });

  const id = (what: string) => uniqueName(what);

  describe('when an attempt fails with attempts left', () => {
    it('plans the next attempt in DATATENTATIVAEXEC, then hands it to the executor when due', async () => {
      const m = id('retry');
      await scheduler.tables.messages.insertIgnoringDuplicates([failedRow(m, 1)]);
      const failedAt = Date.now();
      await scheduler.emit(failedEventOf(m, 1));

      const [scheduled] = await scheduler.waitForEvents('retry-scheduled', m);
      const planned = await scheduler.waitForRow(m, (r) => r.nextAttemptAt !== null, 'a planned retry');
      expect(planned).toMatchObject({
        status: expect.any(Number),
        attempts: 1,
        lastError: 'attempt 1 failed',
      });
      const dueAt = Date.parse(String(scheduled?.['dueAt']));
      expect(planned.nextAttemptAt?.getTime()).toBe(dueAt);
      // Policy: 300 ms after the failure was judged.
      expect(dueAt - Date.parse(String(scheduled?.['at']))).toBe(300);
      expect(dueAt).toBeGreaterThanOrEqual(failedAt + 300);
      expect(scheduled).toMatchObject({ command: 'DemoInvoiceIssued', direction: 'downstream', attempt: 2 });

      const [due] = await scheduler.waitForEvents('retry-due', m);
      expect(due).toMatchObject({ attempt: 2, direction: 'downstream', dueAt: scheduled?.['dueAt'] });
      const lateness = Date.parse(String(due?.['at'])) - dueAt;
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(1_000);
      const claimed = await scheduler.waitForRow(
        m,
        (r) => r.status === MessageStatus.Dispatched,
        'the claim',
      );
      expect(claimed.attempts).toBe(1);

      expect(scheduler.values(scheduler.topics.logs, m)).toEqual([
        expect.objectContaining({
          type: 0,
          source: 'retry-scheduler',
          message: expect.stringMatching(/attempt 2 is due at/),
        }),
      ]);
    });

    it("plans an upstream send's retry at the cloud's Retry-After", async () => {
      const m = id('throttled');
      await scheduler.tables.messages.insertIgnoringDuplicates([
        failedRow(m, 1, { direction: MessageDirection.Upstream, audience: 'app' }),
      ]);
      await scheduler.emit(failedEventOf(m, 1, { direction: 'upstream', retryAfterMs: 20_000 }));

      const [scheduled] = await scheduler.waitForEvents('retry-scheduled', m);
      expect(Date.parse(String(scheduled?.['dueAt'])) - Date.parse(String(scheduled?.['at']))).toBe(20_000);
      expect(scheduled?.['direction']).toBe('upstream');
    });
  });

  describe('when the last allowed attempt fails', () => {
    it('dead-letters the message: row dead, dead letter, error log and dead-lettered event', async () => {
      const m = id('exhausted');
      await scheduler.tables.messages.insertIgnoringDuplicates([failedRow(m, 3, { correlatedId: 'corr-1' })]);
      await scheduler.emit(failedEventOf(m, 3, { error: 'still not payable' }));

      const [dead] = await scheduler.waitForEvents('dead-lettered', m);
      expect(dead).toMatchObject({ attempts: 3, reason: 'attempts-exhausted', error: 'still not payable' });
      expect(scheduler.values(scheduler.topics.deadletter, m)).toEqual([
        {
          messageId: m,
          command: 'DemoInvoiceIssued',
          tenantId: 'tenant-1',
          correlatedId: 'corr-1',
          direction: 'downstream',
          data: `{"id":"${m}","texto":"ação 日本"}`,
          attempts: 3,
          reason: 'attempts-exhausted',
          errorCode: 'ATTEMPTS_EXHAUSTED',
          lastError: 'still not payable',
          deadAt: dead?.['at'],
          source: 'retry-scheduler',
        },
      ]);
      expect(scheduler.values(scheduler.topics.logs, m)).toEqual([
        expect.objectContaining({
          type: 2,
          message: expect.stringMatching(/^Dead-lettered message .* after 3 attempt/),
        }),
      ]);
      const [row] = await scheduler.tables.messages.findByIds([m]);
      expect(row).toMatchObject({ status: MessageStatus.Dead, nextAttemptAt: null, attempts: 3 });
    });
  });

  describe('when an attempt fails fatally', () => {
    it('dead-letters at once, keeping the row dead for an operator', async () => {
      const m = id('fatal');
      await scheduler.tables.messages.insertIgnoringDuplicates([
        failedRow(m, 1, { status: MessageStatus.Dead }),
      ]);
      await scheduler.emit(failedEventOf(m, 1, { type: 'fatal', error: 'the invoice was marked fatal' }));

      await scheduler.waitForEvents('dead-lettered', m);
      expect(scheduler.values(scheduler.topics.deadletter, m)).toEqual([
        expect.objectContaining({ reason: 'fatal', errorCode: 'FATAL_ERROR', attempts: 1 }),
      ]);
      const [row] = await scheduler.tables.messages.findByIds([m]);
      expect(row?.status).toBe(MessageStatus.Dead);
    });
  });

  it('does nothing for an event about a message that has moved on', async () => {
    const m = id('stale');
    await scheduler.tables.messages.insertIgnoringDuplicates([failedRow(m, 2)]);
    const staleBefore = scheduler.counters.staleEvents;
    await scheduler.emit(failedEventOf(m, 1), failedEventOf(id('gone'), 1));
    await waitFor(() => scheduler.counters.staleEvents >= staleBefore + 2, {
      description: 'two stale events',
    });
    const [row] = await scheduler.tables.messages.findByIds([m]);
    expect(row?.nextAttemptAt).toBeNull();
    expect(scheduler.events('retry-scheduled', m)).toEqual([]);
  });
});

describe.each(TEST_DATABASES)('the dispatch timeout on $name', ({ create }) => {
  let database: TestDatabase;
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    database = await create();
    scheduler = await SchedulerHarness.start(database.settings, {
      env: { DISPATCH_TIMEOUT_MS: '1000', RETRY_UNPLANNED_GRACE_MS: '1000' },
      policy: { retry: { maxAttempts: 3, strategy: 'fixed', initialDelayMs: 60_000, jitter: 0 } },
    });
    await Promise.all([scheduler.topics.events, scheduler.topics.logs].map((t) => scheduler.collect(t)));
  });

  afterAll(async () => {
    await scheduler?.stop();
    await database?.dispose();
  });

  it('counts a dispatch with no outcome as a failed attempt, recorded once, and plans the next', async () => {
    const m = uniqueName('lost');
    const dispatchedAt = new Date(Date.now() - 5_000);
    await scheduler.tables.messages.insertIgnoringDuplicates([
      failedRow(m, 1, {
        status: MessageStatus.Dispatched,
        nextAttemptAt: dispatchedAt,
        updatedAt: dispatchedAt,
      }),
    ]);

    const [failed] = await scheduler.waitForEvents('failed', m);
    expect(failed).toMatchObject({
      attempt: 2,
      direction: 'downstream',
      error: 'no outcome within 1000 ms: the attempt was dispatched and never reported back',
    });
    const [scheduled] = await scheduler.waitForEvents('retry-scheduled', m);
    expect(scheduled).toMatchObject({ attempt: 3 });
    const row = await scheduler.waitForRow(m, (r) => r.nextAttemptAt !== null, 'the next attempt planned');
    expect(row).toMatchObject({ status: MessageStatus.WaitingRetry, attempts: 2 });
    expect(row.lastError).toMatch(/^no outcome within 1000 ms/);

    const history = await scheduler.tables.attempts.findByMessageId(m);
    expect(history).toEqual([
      expect.objectContaining({ attempt: 2, status: AttemptStatus.Failure, error: failed?.['error'] }),
    ]);
    expect(scheduler.values(scheduler.topics.logs, m)).toContainEqual(
      expect.objectContaining({
        type: 2,
        message: expect.stringMatching(/^Attempt 2 of message .* failed: no outcome/),
      }),
    );
  });

  it('announces again a failure nobody planned, so it is planned after all', async () => {
    const m = uniqueName('orphan');
    const longAgo = new Date(Date.now() - 10_000);
    await scheduler.tables.messages.insertIgnoringDuplicates([failedRow(m, 2, { updatedAt: longAgo })]);

    const [failed] = await scheduler.waitForEvents('failed', m);
    expect(failed).toMatchObject({ attempt: 2, error: 'attempt 2 failed' });
    const row = await scheduler.waitForRow(m, (r) => r.nextAttemptAt !== null, 'the orphan planned');
    expect(row.status).toBe(MessageStatus.WaitingRetry);
  });
});
