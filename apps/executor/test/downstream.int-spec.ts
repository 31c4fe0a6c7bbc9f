import {
  SmartLinkHeaders,
  lifecycleEventRecord,
  type Outcome,
  type ReceivedEvent,
} from '@smartlink/messaging';
import { AttemptStatus, MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { ExecutorHarness, TEST_DATABASES, type TestDatabase } from './support/executor-harness';

// The executor as it runs, in this process, against the real broker and a real database: the test plays the poller
// (received events) and the segments (outcomes) and reads the tables and topics the executor writes.

const RECEIVED_AT = '2026-11-28T10:00:00.000Z';

function received(messageId: string, overrides: Partial<ReceivedEvent> = {}): ReceivedEvent {
  return {
    type: 'received',
    messageId,
    at: RECEIVED_AT,
    command: 'DemoPing',
    tenantId: 'tenant-1',
    correlatedId: null,
    data: `{"id":"${messageId}","texto":"ação 日本"}`,
    source: null,
    occurredAt: null,
    enqueuedAt: null,
    envelope: 'cloudevents',
    ...overrides,
  };
}

function outcome(messageId: string, overrides: Partial<Outcome> = {}): Outcome {
  return {
    messageId,
    attempt: 1,
    status: 'succeeded',
    startedAt: '2026-11-28T10:00:01.000Z',
    finishedAt: '2026-11-28T10:00:02.500Z',
    ...overrides,
  };
}

describe.each(TEST_DATABASES)('the executor downstream on $name', ({ create }) => {
  let database: TestDatabase;
  let executor: ExecutorHarness;

  beforeAll(async () => {
    database = await create();
  });

  afterAll(async () => {
    await database?.dispose();
  });

  beforeEach(async () => {
    executor = await ExecutorHarness.start(database.settings);
  });

  afterEach(async () => {
    await executor?.stop();
  });

  const ids = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${uniqueName(prefix)}-${i}`);
  const dispatched = (rows: { status: number }[], n: number) =>
    rows.length === n && rows.every((r) => r.status === MessageStatus.Dispatched);

  describe('when the poller appends received messages', () => {
    it('stores each as a row, publishes it to its command topic and marks it dispatched', async () => {
      const [a, b, c] = ids('recv', 3) as [string, string, string];
      await executor.receive(
        received(a, { correlatedId: 'corr-a' }),
        received(b, { command: 'hr.EmployeeCreated_v2' }),
        received(c),
      );

      const rows = await executor.waitForRows([a, b, c], (r) => dispatched(r, 3), 'three dispatched rows');
      expect(rows.find((r) => r.id === a)).toMatchObject({
        direction: MessageDirection.Downstream,
        command: 'DemoPing',
        tenantId: 'tenant-1',
        correlatedId: 'corr-a',
        data: `{"id":"${a}","texto":"ação 日本"}`,
        attempts: 0,
        nextAttemptAt: null,
        createdAt: new Date(RECEIVED_AT),
      });

      const ping = executor.topics.command('DemoPing');
      await executor.collect(ping);
      await executor.collect(executor.topics.command('hr.EmployeeCreated_v2'));
      await waitFor(() => executor.records(ping).length === 2, { description: 'two DemoPing commands' });
      const record = executor.records(ping).find((r) => r.key === a);
      expect(record?.headers).toEqual({
        [SmartLinkHeaders.messageId]: a,
        [SmartLinkHeaders.attempt]: '1',
        [SmartLinkHeaders.command]: 'DemoPing',
        [SmartLinkHeaders.correlationId]: 'corr-a',
        [SmartLinkHeaders.schema]: 'command-message/v1',
        // Half the default DISPATCH_TIMEOUT_MS (300 s) after DATAATUALIZACAO, where the retry scheduler counts from.
        [SmartLinkHeaders.startBy]: new Date(
          (rows.find((r) => r.id === a)?.updatedAt.getTime() ?? NaN) + 150_000,
        ).toISOString(),
      });
      expect(JSON.parse(record?.value.toString('utf8') ?? '')).toEqual({
        id: a,
        command: 'DemoPing',
        tenantId: 'tenant-1',
        correlatedId: 'corr-a',
        attempt: 1,
        data: `{"id":"${a}","texto":"ação 日本"}`,
        receivedAt: RECEIVED_AT,
      });
      await waitFor(() => executor.records(executor.topics.command('hr.EmployeeCreated_v2')).length === 1, {
        description: 'the hr.EmployeeCreated_v2 command',
      });
    });

    it('publishes again a row a crash left pending between insert and publish', async () => {
      const [id] = ids('crashed', 1) as [string];
      await executor.tables.messages.insertIgnoringDuplicates([
        {
          id,
          direction: MessageDirection.Downstream,
          command: 'DemoPing',
          data: 'as stored before the crash',
          status: MessageStatus.Pending,
          createdAt: new Date(RECEIVED_AT),
        },
      ]);

      await executor.receive(received(id));

      await executor.waitForRows([id], (r) => dispatched(r, 1), 'the row dispatched');
      const ping = executor.topics.command('DemoPing');
      await executor.collect(ping);
      await waitFor(() => executor.records(ping).length === 1, { description: 'the command' });
      expect(executor.values(ping)[0]).toMatchObject({ id, attempt: 1, data: 'as stored before the crash' });
    });

    it('dead-letters a bad received event and still dispatches the good ones beside it', async () => {
      const [good, evil] = ids('mixed', 2) as [string, string];
      await executor.produceRaw(
        [
          { key: 'garbage', value: '{not json' },
          { key: evil, value: JSON.stringify(received(evil, { command: 'x,outcomes' })) },
          lifecycleEventRecord(received(good)),
        ],
        executor.topics.received,
      );

      await executor.waitForRows([good], (r) => dispatched(r, 1), 'the good message dispatched');
      await executor.collect(executor.topics.deadletter);
      await waitFor(() => executor.records(executor.topics.deadletter).length === 2, {
        description: 'two dead letters',
      });
      const letters = executor.values(executor.topics.deadletter).map((l) => [l['reason'], l['messageId']]);
      expect(letters.sort()).toEqual([
        ['illegal-command', evil],
        ['malformed', null],
      ]);
      expect(await executor.tables.messages.findByIds([evil])).toEqual([]);
      expect(executor.counters.rejectedEvents).toBe(2);
    });
  });

  describe('when segments report outcomes', () => {
    it('records each attempt; success deletes the row, failure waits for a retry, fatal makes it dead', async () => {
      const [ok, failed, fatal] = ids('outcome', 3) as [string, string, string];
      await executor.receive(received(ok), received(failed), received(fatal));
      await executor.waitForRows([ok, failed, fatal], (r) => dispatched(r, 3), 'three dispatched rows');

      await executor.report(
        outcome(ok, {
          logs: [
            { type: 0, message: 'pessoa gravada', date: '2026-11-28T10:00:02.000Z', source: 'segment:hr' },
            {
              type: 1,
              message: 'lento',
              debug: 'levou 2 s',
              date: '2026-11-28T10:00:02.400Z',
              source: 'segment:hr',
            },
          ],
        }),
        outcome(failed, { status: 'failed', error: 'RM não respondeu' }),
        outcome(fatal, { status: 'fatal', error: 'CPF inválido' }),
      );

      const rows = await executor.waitForRows(
        [ok, failed, fatal],
        (r) => r.length === 2 && r.every((row) => row.status !== MessageStatus.Dispatched),
        'the success deleted and the others settled',
      );
      expect(rows.map((r) => [r.id, r.status, r.attempts, r.nextAttemptAt, r.lastError])).toEqual(
        [
          [failed, MessageStatus.WaitingRetry, 1, null, 'RM não respondeu'],
          [fatal, MessageStatus.Dead, 1, null, 'CPF inválido'],
        ].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
      );
      const [okAttempt] = await executor.tables.attempts.findByMessageId(ok);
      expect(okAttempt).toMatchObject({
        messageId: ok,
        direction: MessageDirection.Downstream,
        command: 'DemoPing',
        attempt: 1,
        status: AttemptStatus.Success,
        startedAt: new Date('2026-11-28T10:00:01.000Z'),
        finishedAt: new Date('2026-11-28T10:00:02.500Z'),
        error: null,
        data: `{"id":"${ok}","texto":"ação 日本"}`,
      });
      expect(
        (await executor.tables.attempts.findByMessageId(failed)).map((a) => [a.status, a.error]),
      ).toEqual([[AttemptStatus.Failure, 'RM não respondeu']]);
      expect((await executor.tables.attempts.findByMessageId(fatal)).map((a) => a.status)).toEqual([
        AttemptStatus.Fatal,
      ]);

      // The log rows were written with the history rows, as the log writer writes a log record: the segment's
      // lines from the outcome, then the executor's own. None went through `<ns>.logs`.
      const logs = await executor.tables.logs.findByMessageIds([ok, failed, fatal]);
      const rowsOf = (id: string) =>
        logs.filter((l) => l.messageId === id).map((l) => [l.type, l.message, l.date.toISOString(), l.debug]);
      expect(rowsOf(ok)).toEqual([
        [0, 'pessoa gravada', '2026-11-28T10:00:02.000Z', 'source: segment:hr'],
        [1, 'lento', '2026-11-28T10:00:02.400Z', 'source: segment:hr\nlevou 2 s'],
        [
          0,
          `Executed attempt 1 of message ${ok} (DemoPing): succeeded`,
          expect.any(String),
          'source: executor',
        ],
      ]);
      expect(rowsOf(failed)).toEqual([
        [
          2,
          `Executed attempt 1 of message ${failed} (DemoPing): failed, a retry follows: RM não respondeu`,
          expect.any(String),
          'source: executor',
        ],
      ]);
      expect(rowsOf(fatal).map(([type, message]) => [type, message])).toEqual([
        [
          2,
          `Executed attempt 1 of message ${fatal} (DemoPing): failed fatally, the message is dead: CPF inválido`,
        ],
      ]);
    });

    it('writes no dispatched or succeeded event about a message it handles; failed and fatal ones stay', async () => {
      const [ok, failed, fatal] = ids('lean', 3) as [string, string, string];
      await executor.collect(executor.topics.events);
      await executor.receive(received(ok), received(failed), received(fatal));
      await executor.waitForRows([ok, failed, fatal], (r) => dispatched(r, 3), 'three dispatched rows');

      await executor.report(
        outcome(ok),
        outcome(failed, { status: 'failed', error: 'try again' }),
        outcome(fatal, { status: 'fatal', error: 'never' }),
      );
      await executor.waitForRows([ok], (r) => r.length === 0, 'the success recorded');

      // The command record is the dispatch and the outcome record the attempt's end: the event log holds neither
      // again, nor the received events, which are on <ns>.received. The failed and fatal events, which the retry
      // scheduler plans from, show that the check would see them.
      const events = await executor.eventsAbout([ok, failed, fatal]);
      const typesOf = (id: string) => events.filter((e) => e['messageId'] === id).map((e) => e['type']);
      expect([typesOf(ok), typesOf(failed), typesOf(fatal)]).toEqual([[], ['failed'], ['fatal']]);
    });

    it('adds no second history row for a duplicate outcome', async () => {
      const [id] = ids('duplicate', 1) as [string];
      await executor.receive(received(id));
      await executor.waitForRows([id], (r) => dispatched(r, 1), 'the row dispatched');

      const line = {
        type: 2 as const,
        message: 'RM fora',
        date: '2026-11-28T10:00:02.000Z',
        source: 'segment:hr',
      };
      await executor.report(outcome(id, { status: 'failed', error: 'first', logs: [line] }));
      await executor.waitForRows(
        [id],
        (r) => r[0]?.status === MessageStatus.WaitingRetry,
        'the failure recorded',
      );
      await executor.report(outcome(id, { status: 'failed', error: 'redelivered', logs: [line] }));

      await waitFor(() => executor.counters.duplicateOutcomes >= 1, {
        description: 'the duplicate absorbed',
      });
      expect((await executor.tables.attempts.findByMessageId(id)).map((a) => a.error)).toEqual(['first']);
      expect((await executor.tables.messages.findByIds([id]))[0]?.lastError).toBe('first');
      // Its log rows were written once, with the attempt recorded first.
      expect((await executor.tables.logs.findByMessageId(id)).map((l) => l.message)).toEqual([
        'RM fora',
        `Executed attempt 1 of message ${id} (DemoPing): failed, a retry follows: first`,
      ]);
    });
  });

  describe('when a message is received again after it succeeded', () => {
    it('recognises it and never executes it again', async () => {
      const [id] = ids('again', 1) as [string];
      await executor.receive(received(id));
      await executor.waitForRows([id], (r) => dispatched(r, 1), 'the row dispatched');
      await executor.report(outcome(id));
      await executor.waitForRows([id], (r) => r.length === 0, 'the row deleted on success');

      // Redelivered on the partition of its key, followed there by a marker: once the marker is dispatched, the
      // redelivery has been handled.
      const marker = `${id}-marker`;
      await executor.produceRaw(
        [lifecycleEventRecord(received(id)), { ...lifecycleEventRecord(received(marker)), key: id }],
        executor.topics.received,
      );

      await executor.waitForRows([marker], (r) => dispatched(r, 1), 'the marker dispatched');
      expect(executor.counters.duplicateMessages).toBe(1);
      expect(await executor.tables.messages.findByIds([id])).toEqual([]);
      const ping = executor.topics.command('DemoPing');
      await executor.collect(ping);
      await waitFor(() => executor.records(ping).some((r) => r.key === marker), {
        description: 'the marker command',
      });
      expect(
        executor
          .records(ping)
          .map((r) => r.key)
          .sort(),
      ).toEqual([id, marker].sort());
      expect(executor.counters.published).toBe(2);
    });
  });
});
