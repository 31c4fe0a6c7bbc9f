import type { ConsumedMessage } from '@smartlink/messaging';
import { MessageLog } from '../records/message-log';
import { AttemptStatus, MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import {
  FIXED_CLOCK,
  Faults,
  Journal,
  LoggerDouble,
  NOW,
  ProducerDouble,
  TOPICS,
  TablesDouble,
  consumedMarker,
  consumedOutcome,
  consumedRaw,
  outcome,
  storedRow,
  executorMetrics,
} from '../../../test/support/downstream-doubles';
import { AttemptRecorder } from '../attempts/attempt-recorder';
import { ExecutorCounters } from '../metrics/executor-counters';
import { OutcomeHandler } from './outcome-handler';

const STARTED = '2026-11-28T10:00:01.000Z';
const FINISHED = '2026-11-28T10:00:02.000Z';

function setup() {
  const journal = new Journal();
  const faults = new Faults();
  const tables = new TablesDouble(journal, faults);
  const producer = new ProducerDouble(journal, faults);
  const counters = new ExecutorCounters();
  const logger = new LoggerDouble();
  const metrics = executorMetrics(counters);
  const recorder = new AttemptRecorder({
    messages: tables,
    attempts: tables.attemptStore,
    producer,
    topics: TOPICS,
    counters,
    metrics,
    clock: FIXED_CLOCK,
  });
  const handler = new OutcomeHandler({
    messages: tables,
    attempts: tables.attemptStore,
    recorder,
    producer,
    topics: TOPICS,
    counters,
    messageLog: new MessageLog(logger),
    clock: FIXED_CLOCK,
    logger,
  });
  const handle = (...records: ConsumedMessage[]) => handler.handle(records);
  // A message dispatched for its first attempt.
  tables.rows.set('m1', storedRow('m1', { status: MessageStatus.Dispatched, data: 'payload of m1' }));
  return { journal, faults, tables, producer, counters, logger, handle };
}

describe('OutcomeHandler', () => {
  describe('when a started marker arrives', () => {
    const marker = (attempt: number) => ({
      messageId: 'm1',
      attempt,
      status: 'started' as const,
      startedAt: STARTED,
      outcomeDueBy: FINISHED,
      instance: 'pod-1 pid 7',
    });

    it('records the start and the outcome due time on a row still at the attempt before it', async () => {
      const { tables, handle, journal } = setup();

      await handle(consumedMarker(marker(1)));

      expect(journal.entries).toEqual(['db:mark started']);
      expect(tables.rows.get('m1')).toMatchObject({
        status: MessageStatus.Dispatched,
        updatedAt: new Date(STARTED),
        nextAttemptAt: new Date(FINISHED),
      });
    });

    it('changes nothing for a marker of another attempt (late or early)', async () => {
      const { tables, handle } = setup();
      const before = { ...tables.rows.get('m1') };

      await handle(consumedMarker(marker(3)));

      expect(tables.rows.get('m1')).toEqual(before);
    });

    it('applies the marker before the outcome that follows it in the same chunk', async () => {
      const { tables, handle } = setup();

      await handle(consumedMarker(marker(1)), consumedOutcome(outcome('m1')));

      expect(tables.rows.has('m1')).toBe(false);
      expect(tables.history).toHaveLength(1);
    });
  });

  describe('when the segment succeeded', () => {
    it('records the attempt with its log rows, then deletes the message, and sends nothing to Kafka', async () => {
      const { journal, tables, producer, handle } = setup();

      await handle(consumedOutcome(outcome('m1')));

      expect(journal.entries).toEqual(['db:find origins', 'db:insert attempts', 'db:delete messages']);
      expect(tables.rows.has('m1')).toBe(false);
      expect(tables.history).toEqual([
        expect.objectContaining({
          messageId: 'm1',
          direction: MessageDirection.Downstream,
          command: 'DemoPing',
          attempt: 1,
          status: AttemptStatus.Success,
          startedAt: new Date(STARTED),
          finishedAt: new Date(FINISHED),
          error: null,
          data: 'payload of m1',
        }),
      ]);
      // The outcome record and the history row are the attempt's end; no event repeats them.
      expect(producer.records(TOPICS.events)).toEqual([]);
      // Its log row is in GTOTVSLINKLOG as the log writer would have written it, and not on `<ns>.logs`.
      expect(producer.sent).toEqual([]);
      expect(tables.logRows).toEqual([
        {
          messageId: 'm1',
          type: 0,
          message: 'Executed attempt 1 of message m1 (DemoPing): succeeded',
          date: NOW,
          debug: 'source: executor',
        },
      ]);
    });

    it("writes the segment's inline log lines before its own, as the log writer would have", async () => {
      const { tables, producer, handle } = setup();

      await handle(
        consumedOutcome(
          outcome('m1', {
            logs: [
              { type: 0, message: 'pong', date: STARTED, source: 'segment:hr' },
              { type: 1, message: 'slow', debug: 'took 2 s', date: FINISHED, source: 'segment:hr' },
            ],
          }),
        ),
      );

      expect(producer.sent).toEqual([]);
      expect(tables.logRows).toEqual([
        { messageId: 'm1', type: 0, message: 'pong', date: new Date(STARTED), debug: 'source: segment:hr' },
        {
          messageId: 'm1',
          type: 1,
          message: 'slow',
          date: new Date(FINISHED),
          debug: 'source: segment:hr\ntook 2 s',
        },
        expect.objectContaining({ message: 'Executed attempt 1 of message m1 (DemoPing): succeeded' }),
      ]);
    });

    it('repairs an inline line no column could hold, as the log writer does, and notes it', async () => {
      const { tables, handle } = setup();

      await handle(
        consumedOutcome(
          outcome('m1', {
            logs: [
              { type: 2, message: 'bad\u0000byte', date: '0000-01-01T00:00:00.000Z', source: 'segment:hr' },
            ],
          }),
        ),
      );

      expect(tables.logRows[0]).toEqual({
        messageId: 'm1',
        type: 2,
        message: 'bad\uFFFDbyte',
        date: new Date(FINISHED),
        debug: [
          'source: segment:hr',
          'executor: NUL characters in the text were replaced by U+FFFD',
          'executor: the date "0000-01-01T00:00:00.000Z" is not a storable instant; the attempt\'s end is used',
        ].join('\n'),
      });
    });
  });

  describe('when the segment failed', () => {
    it('records the attempt and leaves the message waiting for a retry, with no time set', async () => {
      const { tables, producer, handle } = setup();

      await handle(consumedOutcome(outcome('m1', { status: 'failed', error: 'timeout calling RM' })));

      expect(tables.history).toEqual([
        expect.objectContaining({ status: AttemptStatus.Failure, error: 'timeout calling RM' }),
      ]);
      expect(tables.rows.get('m1')).toMatchObject({
        status: MessageStatus.WaitingRetry,
        attempts: 1,
        nextAttemptAt: null,
        lastError: 'timeout calling RM',
        updatedAt: NOW,
      });
      expect(producer.values(TOPICS.events)).toEqual([
        expect.objectContaining({ type: 'failed', error: 'timeout calling RM' }),
      ]);
      expect(producer.values(TOPICS.logs)).toEqual([]);
      expect(tables.logRows).toEqual([
        expect.objectContaining({
          type: 2,
          message: 'Executed attempt 1 of message m1 (DemoPing): failed, a retry follows: timeout calling RM',
        }),
      ]);
    });

    it('keeps an error holding a NUL character, with that character replaced', async () => {
      const { tables, handle } = setup();

      await handle(consumedOutcome(outcome('m1', { status: 'failed', error: 'bad\u0000byte' })));

      expect(tables.rows.get('m1')?.lastError).toBe('bad\uFFFDbyte');
    });
  });

  describe('when the segment failed fatally', () => {
    it('records the attempt and makes the message dead', async () => {
      const { tables, handle } = setup();

      await handle(consumedOutcome(outcome('m1', { status: 'fatal', error: 'invalid CPF' })));

      expect(tables.history).toEqual([expect.objectContaining({ status: AttemptStatus.Fatal })]);
      expect(tables.rows.get('m1')).toMatchObject({
        status: MessageStatus.Dead,
        attempts: 1,
        lastError: 'invalid CPF',
      });
      expect(tables.logRows).toEqual([
        expect.objectContaining({
          type: 2,
          message: expect.stringContaining('failed fatally, the message is dead'),
        }),
      ]);
    });
  });

  it('handles a chunk in one read, one insert, one update and one delete', async () => {
    const { journal, tables, handle } = setup();
    tables.rows.set('m2', storedRow('m2', { status: MessageStatus.Dispatched }));
    tables.rows.set('m3', storedRow('m3', { status: MessageStatus.Dispatched }));
    tables.rows.set('m4', storedRow('m4', { status: MessageStatus.Dispatched }));

    await handle(
      consumedOutcome(outcome('m1')),
      consumedOutcome(outcome('m2', { status: 'failed', error: 'a' })),
      consumedOutcome(outcome('m3', { status: 'fatal', error: 'b' })),
      consumedOutcome(outcome('m4')),
    );

    expect(journal.entries).toEqual([
      'db:find origins',
      'db:insert attempts',
      'db:record failed attempts',
      'db:delete messages',
      'kafka:send ns.events',
    ]);
    expect([...tables.rows.keys()]).toEqual(['m2', 'm3']);
  });

  describe('when an outcome is redelivered', () => {
    it('adds no second history row and applies the effect again, so a crash after the insert is repaired', async () => {
      const { faults, tables, counters, handle } = setup();
      const record = consumedOutcome(outcome('m1'));
      faults.failNext('db:delete messages');
      await expect(handle(record)).rejects.toThrow('failed (injected)');
      expect(tables.rows.has('m1')).toBe(true);

      await handle(record);

      expect(tables.history).toHaveLength(1);
      expect(tables.rows.has('m1')).toBe(false);
      expect(counters).toMatchObject({ outcomes: 1, duplicateOutcomes: 1 });
    });

    it('writes its log rows once, with the attempt it recorded first', async () => {
      const { tables, producer, handle } = setup();
      const logs = [{ type: 0 as const, message: 'pong', date: STARTED, source: 'segment:hr' }];
      const record = consumedOutcome(outcome('m1', { logs }));

      await handle(record);
      await handle(record);
      await handle(consumedOutcome(outcome('m1', { logs })), consumedOutcome(outcome('m1', { logs })));

      expect(tables.logRows.map((l) => l.message)).toEqual([
        'pong',
        'Executed attempt 1 of message m1 (DemoPing): succeeded',
      ]);
      expect(producer.sent).toEqual([]);
    });

    it('follows what was recorded first when the same attempt is reported differently', async () => {
      const { tables, producer, handle } = setup();
      await handle(consumedOutcome(outcome('m1', { status: 'failed', error: 'first report' })));

      await handle(consumedOutcome(outcome('m1', { status: 'succeeded' })));

      expect(tables.history).toEqual([expect.objectContaining({ status: AttemptStatus.Failure })]);
      expect(tables.rows.get('m1')).toMatchObject({ status: MessageStatus.WaitingRetry, attempts: 1 });
      expect(producer.values(TOPICS.events).map((e) => [e['type'], e['error']])).toEqual([
        ['failed', 'first report'],
        ['failed', 'first report'],
      ]);
    });

    it('records a late outcome of a message that succeeded meanwhile from its history', async () => {
      const { tables, handle } = setup();
      await handle(consumedOutcome(outcome('m1', { status: 'failed', error: 'x' })));
      await handle(consumedOutcome(outcome('m1', { attempt: 2 })));
      expect(tables.rows.has('m1')).toBe(false);

      await handle(
        consumedOutcome(outcome('m1', { attempt: 2 })),
        consumedOutcome(outcome('m1', { attempt: 3 })),
      );

      expect(tables.history.map((h) => [h.attempt, h.status, h.command, h.data])).toEqual([
        [1, AttemptStatus.Failure, 'DemoPing', 'payload of m1'],
        [2, AttemptStatus.Success, 'DemoPing', 'payload of m1'],
        [3, AttemptStatus.Success, 'DemoPing', 'payload of m1'],
      ]);
    });

    it('takes an outcome repeated in one chunk once', async () => {
      const { tables, counters, handle } = setup();

      await handle(consumedOutcome(outcome('m1')), consumedOutcome(outcome('m1')));

      expect(tables.history).toHaveLength(1);
      expect(counters.duplicateOutcomes).toBe(1);
    });
  });

  describe('when an outcome cannot be recorded', () => {
    it('logs and skips the outcome of a message never stored', async () => {
      const { journal, tables, producer, counters, logger, handle } = setup();

      await handle(
        consumedOutcome(
          outcome('ghost', { logs: [{ type: 0, message: 'pong', date: STARTED, source: 'segment:hr' }] }),
        ),
      );

      expect(tables.history).toEqual([]);
      // Its inline lines go to the log writer, after the executor's own.
      expect(producer.sent).toEqual([
        {
          topic: TOPICS.logs,
          records: [expect.objectContaining({ key: 'ghost' }), expect.objectContaining({ key: 'ghost' })],
        },
      ]);
      expect(producer.values(TOPICS.logs)).toEqual([
        expect.objectContaining({ type: 1, source: 'executor' }),
        { messageId: 'ghost', type: 0, message: 'pong', date: STARTED, source: 'segment:hr' },
      ]);
      expect(journal.entries).toEqual(['db:find origins', 'db:find attempts', 'kafka:send ns.logs']);
      expect(counters.unknownOutcomes).toBe(1);
      expect(logger.at('warn')).toEqual([
        'Skipped the outcome of attempt 1 of message ghost: no such message was ever stored',
      ]);
    });

    it('logs and skips the outcome of an upstream message, which no segment executes', async () => {
      const { tables, counters, handle } = setup();
      tables.rows.set('up', storedRow('up', { direction: MessageDirection.Upstream }));

      await handle(consumedOutcome(outcome('up')));

      expect(tables.rows.has('up')).toBe(true);
      expect(counters.unknownOutcomes).toBe(1);
    });

    it('counts, logs and skips records that cannot be read or stored, without failing the good outcomes beside them', async () => {
      const { tables, counters, logger, handle } = setup();

      await handle(
        consumedRaw(TOPICS.outcomes, '{oops'),
        consumedRaw(TOPICS.outcomes, JSON.stringify({ ...outcome('m1'), status: 'failed' })),
        consumedRaw(TOPICS.outcomes, JSON.stringify(outcome('m1\u0000'))),
        consumedRaw(TOPICS.outcomes, JSON.stringify(outcome('m1', { attempt: 2 ** 31 }))),
        consumedRaw(
          TOPICS.outcomes,
          JSON.stringify(outcome('m1', { startedAt: '0000-01-01T00:00:00.000Z' })),
        ),
        consumedOutcome(outcome('m1')),
      );

      expect(tables.history.map((h) => [h.messageId, h.status])).toEqual([['m1', AttemptStatus.Success]]);
      expect(counters.malformedOutcomes).toBe(5);
      expect(logger.at('error')).toEqual([
        expect.stringMatching(
          /^Skipped an outcome that cannot be recorded, at ns\.outcomes\[0\]@\d+: .*not JSON/,
        ),
        expect.stringMatching(/a failed or fatal outcome needs an error/),
        expect.stringMatching(/the message id holds a NUL character/),
        expect.stringMatching(/attempt 2147483648 is beyond 2147483647/),
        expect.stringMatching(/outside the years 1 to 9999/),
      ]);
    });
  });
});
