import { isLostDuringHandler } from '@smartlink/messaging';
import { AttemptStatus, MessageStatus } from '@smartlink/rm-tables';
import {
  FIXED_CLOCK,
  LoggerDouble,
  NOW,
  ProducerDouble,
  TOPICS,
  TablesDouble,
  at,
  row,
} from '../../../test/support/scheduler-doubles';
import { RetrySchedulerCounters } from '../metrics/retry-scheduler-counters';
import { DispatchSweeper } from './dispatch-sweeper';

const TIMEOUT = 60_000;
const GRACE = 30_000;

function setup(...rows: ReturnType<typeof row>[]) {
  const tables = new TablesDouble(...rows);
  const producer = new ProducerDouble();
  const counters = new RetrySchedulerCounters();
  const sweeper = new DispatchSweeper({
    messages: tables,
    attempts: tables,
    producer,
    topics: TOPICS,
    counters,
    clock: FIXED_CLOCK,
    logger: new LoggerDouble(),
    batchSize: 100,
    dispatchTimeoutMs: TIMEOUT,
    unplannedGraceMs: GRACE,
  });
  return { tables, producer, counters, sweeper };
}

const dispatched = (id: string, attempts: number, sinceMs: number) =>
  row(id, {
    status: MessageStatus.Dispatched,
    attempts,
    updatedAt: at(-sinceMs),
    nextAttemptAt: null,
  });

describe('DispatchSweeper', () => {
  describe('when a started attempt reported no outcome by its due time', () => {
    it('records it as lost during the handler, from its real start, and leaves never-started rows to the timeout', async () => {
      const started = row('poison', {
        status: MessageStatus.Dispatched,
        attempts: 1,
        updatedAt: at(-50_000),
        nextAttemptAt: at(-1),
      });
      const running = row('running', {
        status: MessageStatus.Dispatched,
        attempts: 0,
        updatedAt: at(-50_000),
        nextAttemptAt: at(10_000),
      });
      const { tables, sweeper } = setup(started, running);

      expect(await sweeper.sweep()).toEqual({ timedOut: 0, lost: 1, unplanned: 0 });

      expect(tables.history).toEqual([
        expect.objectContaining({
          messageId: 'poison',
          attempt: 2,
          status: AttemptStatus.Failure,
          startedAt: at(-50_000),
          finishedAt: NOW,
          error: expect.stringMatching(/^lost during the handler: attempt 2 started at .* process ended/),
        }),
      ]);
      expect(isLostDuringHandler(tables.rows.get('poison')?.lastError)).toBe(true);
      expect(tables.rows.get('running')?.status).toBe(MessageStatus.Dispatched);
    });
  });

  describe('when a dispatched message got no outcome within the timeout', () => {
    it('records the lost attempt as failed in the history and on the row, and announces it', async () => {
      const { tables, producer, sweeper, counters } = setup(
        dispatched('lost', 1, TIMEOUT + 1),
        dispatched('busy', 0, 5_000),
      );

      expect(await sweeper.sweep()).toEqual({ timedOut: 1, lost: 0, unplanned: 0 });

      const error = `no outcome within ${TIMEOUT} ms: the attempt was dispatched and never reported back`;
      expect(tables.history).toEqual([
        {
          messageId: 'lost',
          direction: 1,
          command: 'DemoInvoiceIssued',
          attempt: 2,
          status: AttemptStatus.Failure,
          startedAt: at(-TIMEOUT),
          finishedAt: NOW,
          error,
          data: '{"id":"lost"}',
        },
      ]);
      expect(tables.get('lost')).toMatchObject({
        status: MessageStatus.WaitingRetry,
        attempts: 2,
        nextAttemptAt: null,
        lastError: error,
      });
      expect(producer.values(TOPICS.events)).toEqual([
        {
          type: 'failed',
          messageId: 'lost',
          at: NOW.toISOString(),
          command: 'DemoInvoiceIssued',
          direction: 'downstream',
          attempt: 2,
          error,
          startedAt: at(-TIMEOUT).toISOString(),
          finishedAt: NOW.toISOString(),
        },
      ]);
      expect(producer.values(TOPICS.logs)).toEqual([
        expect.objectContaining({
          messageId: 'lost',
          type: 2,
          message: `Attempt 2 of message lost (DemoInvoiceIssued) failed: ${error}`,
        }),
      ]);
      expect(tables.get('busy')?.status).toBe(MessageStatus.Dispatched);
      expect(counters.timedOut).toBe(1);
    });

    it('leaves an attempt whose real outcome was recorded meanwhile to the executor', async () => {
      const { tables, producer, sweeper } = setup(dispatched('late', 0, TIMEOUT + 1));
      tables.history.push({
        messageId: 'late',
        direction: 1,
        command: 'DemoInvoiceIssued',
        attempt: 1,
        status: AttemptStatus.Success,
        startedAt: at(-2),
        finishedAt: at(-1),
      });
      expect(await sweeper.sweep()).toEqual({ timedOut: 0, lost: 0, unplanned: 0 });
      expect(producer.sent).toEqual([]);
      expect(tables.get('late')?.attempts).toBe(0);
    });
  });

  describe('when a message was stored and never handed over within the timeout', () => {
    it('records attempt 1 as failed, so the retry scheduler takes it up like any failure', async () => {
      const stalled = (id: string, sinceMs: number) =>
        row(id, { status: MessageStatus.Pending, attempts: 0, nextAttemptAt: null, updatedAt: at(-sinceMs) });
      const { tables, producer, sweeper, counters } = setup(
        stalled('stranded', TIMEOUT + 1),
        stalled('just-stored', 1_000),
        // Redriven: due at DATATENTATIVAEXEC, so the due loop's, not the sweeper's.
        row('redriven', {
          status: MessageStatus.Pending,
          nextAttemptAt: at(-TIMEOUT - 1),
          updatedAt: at(-TIMEOUT - 1),
        }),
      );

      expect(await sweeper.sweep()).toEqual({ timedOut: 1, lost: 0, unplanned: 0 });

      const error = `not handed over within ${TIMEOUT} ms: the message was stored and never dispatched`;
      expect(tables.history).toEqual([
        expect.objectContaining({ messageId: 'stranded', attempt: 1, status: AttemptStatus.Failure, error }),
      ]);
      expect(tables.get('stranded')).toMatchObject({
        status: MessageStatus.WaitingRetry,
        attempts: 1,
        lastError: error,
      });
      expect(producer.values(TOPICS.events)).toEqual([
        expect.objectContaining({ type: 'failed', messageId: 'stranded', attempt: 1, error }),
      ]);
      expect(tables.get('just-stored')?.status).toBe(MessageStatus.Pending);
      expect(tables.get('redriven')?.status).toBe(MessageStatus.Pending);
      expect(counters.timedOut).toBe(1);
    });
  });

  describe('when a recorded failure stayed unplanned beyond the grace', () => {
    it('announces its failed event again, once', async () => {
      const { producer, sweeper, counters } = setup(
        row('orphan', { attempts: 2, lastError: 'boom', updatedAt: at(-GRACE - 1) }),
        row('fresh', { updatedAt: at(-1_000) }),
      );
      expect(await sweeper.sweep()).toEqual({ timedOut: 0, lost: 0, unplanned: 1 });
      expect(producer.values(TOPICS.events)).toEqual([
        expect.objectContaining({ type: 'failed', messageId: 'orphan', attempt: 2, error: 'boom' }),
      ]);
      expect(producer.values(TOPICS.logs)).toEqual([]);
      expect(await sweeper.sweep()).toEqual({ timedOut: 0, lost: 0, unplanned: 0 });
      expect(counters.unplannedAnnounced).toBe(1);
    });
  });

  it('finds the row again after a failed announcement: recorded and unplanned, it is announced after the grace', async () => {
    const { tables, producer, sweeper } = setup(dispatched('lost', 0, TIMEOUT + 1));
    producer.failNext = true;
    await expect(sweeper.sweep()).rejects.toThrow(/unreachable/);
    expect(tables.get('lost')).toMatchObject({
      status: MessageStatus.WaitingRetry,
      nextAttemptAt: null,
      updatedAt: NOW,
    });
    // The grace is measured from the failure's record; a later sweep past it announces the failure.
    (tables.get('lost') as { updatedAt: Date }).updatedAt = at(-GRACE - 1);
    expect(await sweeper.sweep()).toEqual({ timedOut: 0, lost: 0, unplanned: 1 });
  });
});
