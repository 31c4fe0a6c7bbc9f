import { SmartLinkHeaders, lifecycleEventRecord, type ConsumedMessage } from '@smartlink/messaging';
import { MessageLog } from '../records/message-log';
import { AttemptStatus, MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import {
  FIXED_CLOCK,
  Faults,
  Journal,
  LoggerDouble,
  NOW,
  ProducerDouble,
  RECEIVED_AT,
  TOPICS,
  TablesDouble,
  consumedEvent,
  consumedRaw,
  receivedEvent,
  storedRow,
  executorMetrics,
} from '../../../test/support/downstream-doubles';
import { ExecutorCounters } from '../metrics/executor-counters';
import { ReceivedEventHandler } from './received-event-handler';

function setup() {
  const journal = new Journal();
  const faults = new Faults();
  const tables = new TablesDouble(journal, faults);
  const producer = new ProducerDouble(journal, faults);
  const ensured: string[] = [];
  const counters = new ExecutorCounters();
  const logger = new LoggerDouble();
  const handler = new ReceivedEventHandler({
    messages: tables,
    attempts: tables.attemptStore,
    producer,
    topics: TOPICS,
    commandTopics: {
      ensure: async (names) => {
        journal.add(`kafka:ensure ${names.join(' ')}`);
        ensured.push(...names);
      },
    },
    counters,
    metrics: executorMetrics(counters),
    messageLog: new MessageLog(logger),
    clock: FIXED_CLOCK,
    logger,
    dispatchTimeoutMs: 60_000,
  });
  const handle = (...records: ConsumedMessage[]) => handler.handle(records);
  return { journal, faults, tables, producer, ensured, counters, logger, handle };
}

describe('ReceivedEventHandler', () => {
  describe('when a message arrives for the first time', () => {
    it('stores it pending, publishes attempt 1 and marks it dispatched, in that order, with no event', async () => {
      const { journal, tables, producer, handle } = setup();

      await handle(consumedEvent(receivedEvent('m1')));

      expect(journal.entries).toEqual([
        'db:insert messages',
        'db:find succeeded',
        'kafka:ensure ns.cmd.DemoPing',
        'kafka:send ns.cmd.DemoPing',
        'db:mark dispatched',
      ]);
      // The command record is the dispatch: no `dispatched` event repeats it.
      expect(producer.records(TOPICS.events)).toEqual([]);
      expect(tables.rows.get('m1')).toMatchObject({
        direction: MessageDirection.Downstream,
        command: 'DemoPing',
        tenantId: 'tenant-1',
        correlatedId: null,
        data: '{"id":"m1"}',
        status: MessageStatus.Dispatched,
        attempts: 0,
        nextAttemptAt: null,
        createdAt: new Date(RECEIVED_AT),
        updatedAt: NOW,
      });
    });

    it('publishes the command message keyed by message id, with its headers and body', async () => {
      const { producer, handle } = setup();

      await handle(consumedEvent(receivedEvent('m1', { correlatedId: 'corr-1', command: 'hr.Employee_v2' })));

      const [record] = producer.records('ns.cmd.hr.Employee_v2');
      expect(record?.key).toBe('m1');
      expect(record?.headers).toEqual({
        [SmartLinkHeaders.messageId]: 'm1',
        [SmartLinkHeaders.attempt]: '1',
        [SmartLinkHeaders.command]: 'hr.Employee_v2',
        [SmartLinkHeaders.correlationId]: 'corr-1',
        [SmartLinkHeaders.schema]: 'command-message/v1',
        // Half the dispatch timeout (60 s) after the dispatch: the row's DATAATUALIZACAO, the chunk's time.
        [SmartLinkHeaders.startBy]: new Date(NOW.getTime() + 30_000).toISOString(),
      });
      expect(JSON.parse(String(record?.value))).toEqual({
        id: 'm1',
        command: 'hr.Employee_v2',
        tenantId: 'tenant-1',
        correlatedId: 'corr-1',
        attempt: 1,
        data: '{"id":"m1"}',
        receivedAt: RECEIVED_AT,
      });
    });

    it('publishes a whole chunk in one batch, one topic per command, and nothing to the event log', async () => {
      const { journal, producer, counters, handle } = setup();

      await handle(
        consumedEvent(receivedEvent('a', { command: 'Alpha' })),
        consumedEvent(receivedEvent('b', { command: 'Beta' })),
        consumedEvent(receivedEvent('c', { command: 'Alpha' })),
      );

      expect(journal.entries.filter((e) => e.startsWith('kafka:send'))).toEqual([
        'kafka:send ns.cmd.Alpha ns.cmd.Beta',
      ]);
      expect(producer.records('ns.cmd.Alpha').map((r) => r.key)).toEqual(['a', 'c']);
      expect(producer.records('ns.cmd.Beta').map((r) => r.key)).toEqual(['b']);
      expect(producer.records(TOPICS.events)).toEqual([]);
      expect(counters).toMatchObject({ received: 3, published: 3, duplicateMessages: 0 });
    });

    it('takes a message id repeated in the chunk once', async () => {
      const { producer, counters, handle } = setup();

      await handle(
        consumedEvent(receivedEvent('m1', { data: 'first' })),
        consumedEvent(receivedEvent('m1', { data: 'again' })),
      );

      expect(producer.values('ns.cmd.DemoPing').map((v) => v['data'])).toEqual(['first']);
      expect(counters.duplicateMessages).toBe(1);
    });
  });

  describe('when a message is seen again after it succeeded', () => {
    it('never executes it again and removes the row its redelivery re-inserted', async () => {
      const { tables, producer, counters, logger, handle } = setup();
      await tables.insertAttempts([
        {
          messageId: 'done',
          direction: MessageDirection.Downstream,
          command: 'DemoPing',
          attempt: 1,
          status: AttemptStatus.Success,
          startedAt: NOW,
          finishedAt: NOW,
        },
      ]);

      await handle(consumedEvent(receivedEvent('done')), consumedEvent(receivedEvent('new')));

      expect(tables.rows.has('done')).toBe(false);
      expect(producer.records('ns.cmd.DemoPing').map((r) => r.key)).toEqual(['new']);
      expect(counters.duplicateMessages).toBe(1);
      expect(logger.at('debug').join()).toMatch(/1 succeeded already and are not executed again/);
    });
  });

  describe('when the chunk is redelivered after a crash', () => {
    it('publishes again a row left pending between insert and publish, with the next attempt number', async () => {
      const { tables, producer, handle } = setup();
      tables.rows.set('m1', storedRow('m1', { data: 'as stored' }));
      tables.rows.set('m2', storedRow('m2', { attempts: 2, status: MessageStatus.Pending }));

      await handle(
        consumedEvent(receivedEvent('m1', { data: 'as redelivered' })),
        consumedEvent(receivedEvent('m2')),
      );

      expect(producer.values('ns.cmd.DemoPing').map((v) => [v['id'], v['attempt'], v['data']])).toEqual([
        ['m1', 1, 'as stored'],
        ['m2', 3, '{"id":"m2"}'],
      ]);
      expect(tables.rows.get('m1')?.status).toBe(MessageStatus.Dispatched);
      expect(tables.rows.get('m2')?.status).toBe(MessageStatus.Dispatched);
    });

    it('publishes nothing for a row dispatched already: its command record went out before it was marked', async () => {
      const dispatchedAt = new Date('2026-11-28T10:00:03.000Z');
      const { tables, producer, handle } = setup();
      tables.rows.set('m1', storedRow('m1', { status: MessageStatus.Dispatched, updatedAt: dispatchedAt }));

      await handle(consumedEvent(receivedEvent('m1')));

      expect(producer.sent).toEqual([]);
      expect(tables.rows.get('m1')).toMatchObject({
        status: MessageStatus.Dispatched,
        updatedAt: dispatchedAt,
      });
    });

    it('leaves a row waiting for a retry or dead to the retry scheduler', async () => {
      const { tables, producer, handle } = setup();
      tables.rows.set('retry', storedRow('retry', { status: MessageStatus.WaitingRetry, attempts: 1 }));
      tables.rows.set('dead', storedRow('dead', { status: MessageStatus.Dead, attempts: 1 }));

      await handle(consumedEvent(receivedEvent('retry')), consumedEvent(receivedEvent('dead')));

      expect(producer.sent).toEqual([]);
      expect(tables.rows.get('retry')?.status).toBe(MessageStatus.WaitingRetry);
    });

    it('never overwrites an outcome the segment reported before the dispatch was marked', async () => {
      const { tables, journal, handle } = setup();
      const original = tables.markDispatched.bind(tables);
      // The segment is faster than the executor: attempt 1 fails and is recorded between publish and mark.
      tables.markDispatched = async (dispatches, now) => {
        await tables.recordFailedAttempts([
          {
            id: 'm1',
            attempt: 1,
            status: MessageStatus.WaitingRetry,
            nextAttemptAt: null,
            lastError: 'x',
            now,
          },
        ]);
        return original(dispatches, now);
      };

      await handle(consumedEvent(receivedEvent('m1')));

      expect(journal.entries).toContain('db:mark dispatched');
      expect(tables.rows.get('m1')).toMatchObject({ status: MessageStatus.WaitingRetry, attempts: 1 });
    });
  });

  describe('when a step fails', () => {
    it.each([
      ['the insert', 'db:insert messages', []],
      ['the publish', 'kafka:send', []],
    ])('rejects when %s fails, before anything later happens', async (_what, operation, marked) => {
      const { faults, tables, producer, handle } = setup();
      faults.failNext(operation);

      await expect(handle(consumedEvent(receivedEvent('m1')))).rejects.toThrow('failed (injected)');

      expect(producer.records(TOPICS.events)).toEqual([]);
      expect([...tables.rows.values()].filter((r) => r.status === MessageStatus.Dispatched)).toEqual(marked);
    });

    it('rejects when marking fails, after the publish, and publishes the same attempt again on redelivery', async () => {
      const { faults, tables, producer, handle } = setup();
      const record = consumedEvent(receivedEvent('m1'));
      faults.failNext('db:mark dispatched');

      await expect(handle(record)).rejects.toThrow('failed (injected)');
      expect(producer.records('ns.cmd.DemoPing')).toHaveLength(1);
      expect(tables.rows.get('m1')?.status).toBe(MessageStatus.Pending);

      await handle(record);

      expect(producer.values('ns.cmd.DemoPing').map((v) => [v['id'], v['attempt']])).toEqual([
        ['m1', 1],
        ['m1', 1],
      ]);
      expect(tables.rows.get('m1')?.status).toBe(MessageStatus.Dispatched);
    });

    it('publishes the same attempt again when the chunk is redelivered after the publish failed', async () => {
      const { faults, producer, handle } = setup();
      const record = consumedEvent(receivedEvent('m1'));
      faults.failNext('kafka:send');
      await expect(handle(record)).rejects.toThrow();

      await handle(record);

      expect(producer.values('ns.cmd.DemoPing').map((v) => [v['id'], v['attempt']])).toEqual([['m1', 1]]);
    });
  });

  describe('other records of the event log', () => {
    it('ignores the other event types, by header or by content', async () => {
      const { producer, tables, counters, handle } = setup();
      const dispatched = lifecycleEventRecord({
        type: 'dispatched',
        messageId: 'm1',
        at: RECEIVED_AT,
        command: 'DemoPing',
        attempt: 1,
      });

      await handle(
        consumedEvent(receivedEvent('m1')),
        consumedRaw(TOPICS.events, String(dispatched.value)),
        consumedRaw(TOPICS.events, '{"type":"retry-scheduled","messageId":"m1"}'),
        { ...consumedRaw(TOPICS.events, '{}'), headers: { [SmartLinkHeaders.schema]: 'event/purged/v1' } },
      );

      expect(counters.ignoredEvents).toBe(3);
      expect(tables.rows.size).toBe(1);
      expect(producer.records(TOPICS.deadletter)).toEqual([]);
    });
  });

  describe('when a received event is bad', () => {
    it('dead-letters and logs an unreadable one without failing the good ones beside it', async () => {
      const { producer, tables, counters, logger, handle } = setup();

      await handle(
        consumedRaw(TOPICS.events, '{not json', 'k1'),
        consumedEvent(receivedEvent('good')),
        consumedRaw(TOPICS.events, JSON.stringify({ ...receivedEvent('no-data'), data: undefined })),
      );

      expect([...tables.rows.keys()]).toEqual(['good']);
      expect(producer.records('ns.cmd.DemoPing').map((r) => r.key)).toEqual(['good']);
      const letters = producer.values(TOPICS.deadletter);
      expect(letters.map((l) => [l['messageId'], l['reason'], l['errorCode']])).toEqual([
        [null, 'malformed', 'MALFORMED_EVENT'],
        ['no-data', 'malformed', 'MALFORMED_EVENT'],
      ]);
      expect(letters[0]).toMatchObject({ data: '{not json', source: 'executor', deadAt: NOW.toISOString() });
      expect(producer.records(TOPICS.deadletter)[0]?.key).toMatch(/^ns\.events\[0\]@\d+$/);
      expect(producer.values(TOPICS.logs).map((l) => [l['messageId'], l['type']])).toEqual([
        [undefined, 2],
        ['no-data', 2],
      ]);
      expect(logger.at('error')).toHaveLength(2);
      expect(counters.rejectedEvents).toBe(2);
    });

    it('dead-letters one with an illegal command as such, and never names a topic after it', async () => {
      const { producer, ensured, tables, handle } = setup();

      await handle(
        consumedRaw(TOPICS.events, JSON.stringify(receivedEvent('evil', { command: 'x,ns.outcomes' }))),
      );

      expect(tables.rows.size).toBe(0);
      expect(ensured).toEqual([]);
      expect(producer.values(TOPICS.deadletter)).toEqual([
        expect.objectContaining({
          messageId: 'evil',
          command: 'x,ns.outcomes',
          reason: 'illegal-command',
          errorCode: 'ILLEGAL_COMMAND_NAME',
        }),
      ]);
    });

    it.each([
      ['a tenant id longer than its column', { tenantId: 't'.repeat(129) }],
      ['a correlation id longer than its column', { correlatedId: 'c'.repeat(513) }],
    ])('dead-letters one with %s, which the event schema refuses', async (_what, fields) => {
      const { producer, tables, handle } = setup();
      // Written as raw JSON: our own producers cannot encode such an event any more.
      const raw = JSON.stringify(receivedEvent('bad', fields));

      await handle(consumedRaw(TOPICS.events, raw, 'bad'), consumedEvent(receivedEvent('good')));

      expect([...tables.rows.keys()]).toEqual(['good']);
      expect(producer.values(TOPICS.deadletter)[0]).toMatchObject({
        reason: 'malformed',
        errorCode: 'MALFORMED_EVENT',
      });
    });

    it.each([
      ['a NUL character in the payload', { data: 'a\u0000b' }, /data: holds a NUL character/],
      [
        'a time no date column can hold',
        { at: '0000-01-01T00:00:00.000Z' },
        /at: outside the years 1 to 9999/,
      ],
    ])('dead-letters one with %s, which its row could not hold', async (_what, fields, error) => {
      const { producer, tables, handle } = setup();

      await handle(consumedEvent(receivedEvent('bad', fields)), consumedEvent(receivedEvent('good')));

      expect([...tables.rows.keys()]).toEqual(['good']);
      const [letter] = producer.values(TOPICS.deadletter);
      expect(letter).toMatchObject({
        messageId: 'bad',
        reason: 'malformed',
        errorCode: 'INVALID_MESSAGE_FIELD',
      });
      expect(letter?.['lastError']).toMatch(error);
    });
  });
});
