import { SmartLinkServerError } from '@smartlink/contract';
import { MessageLog } from '../records/message-log';
import { SmartLinkHeaders, type ConsumedMessage } from '@smartlink/messaging';
import { AttemptStatus, MessageStatus, type MessageEntity } from '@smartlink/rm-tables';
import {
  FIXED_CLOCK,
  Journal,
  LoggerDouble,
  ProducerDouble,
  RECEIVED_AT,
  TOPICS,
  TablesDouble,
  consumedRaw,
  storedRow,
  executorMetrics,
} from '../../../test/support/downstream-doubles';
import {
  CloudDouble,
  ENVELOPE,
  consumedRetryDue,
  retryDue,
  upstreamRow,
} from '../../../test/support/upstream-doubles';
import { AttemptRecorder } from '../attempts/attempt-recorder';
import { CommandDispatcher } from '../downstream/command-dispatcher';
import { ExecutorCounters } from '../metrics/executor-counters';
import { CloudPause } from '../upstream/cloud-pause';
import { ExecutorStoppingError } from '../upstream/executor-stopping-error';
import { ShutdownGrace } from '../upstream/shutdown-grace';
import { UpstreamSender } from '../upstream/upstream-sender';
import { RetryDueHandler } from './retry-due-handler';

function setup() {
  const journal = new Journal();
  const tables = new TablesDouble(journal);
  const producer = new ProducerDouble(journal);
  const cloud = new CloudDouble(journal);
  const counters = new ExecutorCounters();
  const logger = new LoggerDouble();
  const grace = new ShutdownGrace();
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
  const handler = new RetryDueHandler({
    messages: tables,
    dispatcher: new CommandDispatcher({
      producer,
      topics: TOPICS,
      commandTopics: { ensure: async (names) => journal.add(`kafka:ensure ${names.join(' ')}`) },
      counters,
      messageLog: new MessageLog(logger),
      clock: FIXED_CLOCK,
      dispatchTimeoutMs: 60_000,
    }),
    sender: new UpstreamSender({
      cloud,
      envelope: ENVELOPE,
      recorder,
      pause: new CloudPause(),
      grace,
      counters,
      clock: FIXED_CLOCK,
      logger,
      settings: { sendConcurrency: 4, maxSendPauseMs: 0 },
    }),
    producer,
    topics: TOPICS,
    counters,
    messageLog: new MessageLog(logger),
    clock: FIXED_CLOCK,
    logger,
  });
  const handle = (...records: ConsumedMessage[]) => handler.handle(records);
  return { journal, tables, producer, cloud, counters, logger, grace, handle };
}

/** A row the retry scheduler claimed for attempt `attempt`: dispatched, with `attempt - 1` attempts made. */
const claimed = (attempt: number) => ({ status: MessageStatus.Dispatched, attempts: attempt - 1 });

describe('RetryDueHandler', () => {
  describe('when a downstream retry falls due', () => {
    it('publishes that attempt of the stored message to its command topic, and nothing to the event log', async () => {
      const { journal, tables, producer, counters, handle } = setup();
      tables.rows.set('d1', storedRow('d1', { ...claimed(3), correlatedId: 'c-1', data: 'payload' }));

      await handle(
        consumedRetryDue(retryDue('d1', { direction: 'downstream', command: 'DemoPing', attempt: 3 })),
      );

      expect(journal.entries).toEqual([
        'db:find messages',
        'kafka:ensure ns.cmd.DemoPing',
        'kafka:send ns.cmd.DemoPing',
      ]);
      expect(producer.values('ns.cmd.DemoPing')).toEqual([
        {
          id: 'd1',
          command: 'DemoPing',
          tenantId: 'tenant-1',
          correlatedId: 'c-1',
          attempt: 3,
          data: 'payload',
          receivedAt: RECEIVED_AT,
        },
      ]);
      const headers = producer.records('ns.cmd.DemoPing')[0]?.headers;
      expect(headers?.[SmartLinkHeaders.attempt]).toBe('3');
      // Counted from the claim (the row's DATAATUALIZACAO), as the sweep counts: half of the 60 s dispatch timeout.
      const claimedAt = (tables.rows.get('d1') as MessageEntity).updatedAt;
      expect(headers?.[SmartLinkHeaders.startBy]).toBe(new Date(claimedAt.getTime() + 30_000).toISOString());
      // The command record is the dispatch: no `dispatched` event repeats it.
      expect(producer.records(TOPICS.events)).toEqual([]);
      // The row stays as the claim left it; the segment's outcome records the attempt.
      expect(tables.rows.get('d1')).toMatchObject(claimed(3));
      expect(counters).toMatchObject({ retriesDue: 1, published: 1 });
    });
  });

  describe('when an upstream retry falls due', () => {
    it('sends that attempt to the cloud and records it', async () => {
      const { tables, cloud, producer, handle } = setup();
      tables.rows.set('u1', upstreamRow('u1', claimed(2)));

      await handle(consumedRetryDue(retryDue('u1', { attempt: 2 })));

      expect(cloud.sentIds()).toEqual(['u1']);
      expect(tables.rows.has('u1')).toBe(false);
      expect(tables.history).toEqual([
        expect.objectContaining({ messageId: 'u1', attempt: 2, status: AttemptStatus.Success }),
      ]);
      // The history row records the success; no event repeats it.
      expect(producer.records(TOPICS.events)).toEqual([]);
      expect(producer.values(TOPICS.logs)).toEqual([]);
      expect(tables.logRows).toEqual([
        expect.objectContaining({ messageId: 'u1', type: 0, message: expect.stringMatching(/succeeded$/) }),
      ]);
    });

    it('records a failure of that attempt with the Retry-After, for the retry scheduler to plan the next', async () => {
      const { tables, cloud, producer, handle } = setup();
      tables.rows.set('u1', upstreamRow('u1', claimed(2)));
      cloud.answer('u1', new SmartLinkServerError('send', 503, 4_000));

      await handle(consumedRetryDue(retryDue('u1', { attempt: 2 })));

      expect(tables.rows.get('u1')).toMatchObject({ status: MessageStatus.WaitingRetry, attempts: 2 });
      expect(producer.values(TOPICS.events)).toEqual([
        expect.objectContaining({ type: 'failed', attempt: 2, retryAfterMs: 4_000 }),
      ]);
    });

    it('makes a row without an audience fatal: no send path can be built for it', async () => {
      const { tables, cloud, producer, handle } = setup();
      tables.rows.set('u1', upstreamRow('u1', { ...claimed(2), audience: null }));

      await handle(consumedRetryDue(retryDue('u1', { attempt: 2 })));

      expect(cloud.sends).toEqual([]);
      expect(tables.rows.get('u1')).toMatchObject({ status: MessageStatus.Dead, attempts: 2 });
      expect(producer.values(TOPICS.events)).toEqual([
        expect.objectContaining({
          type: 'fatal',
          error: 'Upstream message u1 has no audience to send it to',
        }),
      ]);
    });

    it('hands the event back when the executor stops before the send ends', async () => {
      const { tables, cloud, grace, handle } = setup();
      tables.rows.set('u1', upstreamRow('u1', claimed(2)));
      cloud.gate = new Promise(() => undefined);

      const chunk = handle(consumedRetryDue(retryDue('u1', { attempt: 2 })));
      await new Promise((r) => setImmediate(r));
      grace.end();

      await expect(chunk).rejects.toThrow(ExecutorStoppingError);
      expect(tables.history).toEqual([]);
    });
  });

  describe('when the event no longer matches its message', () => {
    it.each([
      ['gone (it succeeded)', undefined],
      [
        'waiting for a retry: the attempt was recorded already',
        { status: MessageStatus.WaitingRetry, attempts: 2 },
      ],
      ['dispatched for a later attempt', claimed(3)],
      ['dead', { status: MessageStatus.Dead, attempts: 1 }],
    ])('skips it as stale when the message is %s', async (_label, state) => {
      const { tables, cloud, producer, counters, handle } = setup();
      if (state) tables.rows.set('u1', upstreamRow('u1', state));

      await handle(consumedRetryDue(retryDue('u1', { attempt: 2 })));

      expect(cloud.sends).toEqual([]);
      // Nothing but the info log of the skip, for GTOTVSLINKLOG.
      expect(producer.sent).toEqual([
        { topic: TOPICS.logs, records: [expect.objectContaining({ key: 'u1' })] },
      ]);
      expect(counters).toMatchObject({ staleRetries: 1, retriesDue: 0 });
    });

    it('skips an event whose direction is not the stored message’s', async () => {
      const { tables, producer, counters, logger, handle } = setup();
      tables.rows.set('x', upstreamRow('x', claimed(2)));

      await handle(consumedRetryDue(retryDue('x', { direction: 'downstream', attempt: 2 })));

      expect(producer.sent).toEqual([
        { topic: TOPICS.logs, records: [expect.objectContaining({ key: 'x' })] },
      ]);
      expect(logger.lines).toEqual([
        {
          level: 'log',
          message: expect.stringContaining('Skipped retry-due attempt 2 of message x'),
          fields: { messageId: 'x', command: expect.any(String), attempt: 2 },
        },
      ]);
      expect(counters.staleRetries).toBe(1);
    });

    it('runs a retry redelivered within one chunk once', async () => {
      const { tables, cloud, handle } = setup();
      tables.rows.set('u1', upstreamRow('u1', claimed(2)));
      const event = consumedRetryDue(retryDue('u1', { attempt: 2 }));

      await handle(event, { ...event, offset: '999' });

      expect(cloud.sentIds()).toEqual(['u1']);
    });
  });

  it('logs and skips a record that is not a retry-due event, and runs the others', async () => {
    const { tables, cloud, logger, counters, handle } = setup();
    tables.rows.set('u1', upstreamRow('u1', claimed(2)));

    await handle(consumedRaw(TOPICS.events, '{oops'), consumedRetryDue(retryDue('u1', { attempt: 2 })));

    expect(cloud.sentIds()).toEqual(['u1']);
    expect(counters.malformedRetries).toBe(1);
    expect(logger.at('error')).toEqual([
      expect.stringContaining('Skipped a retry-due event that cannot be read'),
    ]);
  });
});
