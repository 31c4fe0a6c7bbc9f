import {
  SendRejectedError,
  SmartLinkRejectedError,
  SmartLinkServerError,
  SmartLinkThrottledError,
  SmartLinkTimeoutError,
} from '@smartlink/contract';
import type { ConsumedMessage } from '@smartlink/messaging';
import { AttemptStatus, MessageDirection, MessageExecEntity, MessageStatus } from '@smartlink/rm-tables';
import {
  FIXED_CLOCK,
  Faults,
  Journal,
  LoggerDouble,
  NOW,
  ProducerDouble,
  TOPICS,
  TablesDouble,
  consumedRaw,
  storedRow,
  executorMetrics,
} from '../../../test/support/downstream-doubles';
import { CloudDouble, ENVELOPE, consumedOutbound, upstreamRow } from '../../../test/support/upstream-doubles';
import { AttemptRecorder } from '../attempts/attempt-recorder';
import { ExecutorCounters } from '../metrics/executor-counters';
import { CloudPause } from './cloud-pause';
import { ExecutorStoppingError } from './executor-stopping-error';
import { OutboundHandler } from './outbound-handler';
import { ShutdownGrace } from './shutdown-grace';
import { UpstreamSender } from './upstream-sender';

const PUBLISHED_AT = '2026-11-28T10:00:00.000Z';

/** A successful first attempt of `messageId` in the history, as a crash or an earlier run left it. */
function succeededAttempt(
  messageId: string,
  direction: MessageDirection,
  command: string,
): MessageExecEntity {
  return Object.assign(new MessageExecEntity(), {
    id: '1',
    messageId,
    direction,
    command,
    attempt: 1,
    status: AttemptStatus.Success,
    startedAt: NOW,
    finishedAt: NOW,
    error: null,
    data: null,
  });
}

function setup({ sendConcurrency = 4, maxSendPauseMs = 5_000 } = {}) {
  const journal = new Journal();
  const faults = new Faults();
  const tables = new TablesDouble(journal, faults);
  const producer = new ProducerDouble(journal, faults);
  const cloud = new CloudDouble(journal);
  const counters = new ExecutorCounters();
  const logger = new LoggerDouble();
  const grace = new ShutdownGrace();
  const sleeps: number[] = [];
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
  const sender = new UpstreamSender({
    cloud,
    envelope: ENVELOPE,
    recorder,
    pause: new CloudPause(),
    grace,
    counters,
    clock: FIXED_CLOCK,
    logger,
    settings: { sendConcurrency, maxSendPauseMs },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  const handler = new OutboundHandler({
    messages: tables,
    attempts: tables.attemptStore,
    cloud,
    sender,
    producer,
    topics: TOPICS,
    counters,
    clock: FIXED_CLOCK,
    logger,
  });
  const handle = (...records: ConsumedMessage[]) => handler.handle(records);
  return { journal, faults, tables, producer, cloud, counters, logger, grace, sleeps, handle };
}

describe('OutboundHandler', () => {
  describe('when a segment publishes a message', () => {
    it('stores it, reports it published, marks it dispatched, sends it, records the attempt, in that order', async () => {
      const { journal, handle } = setup();

      await handle(consumedOutbound('up-1'));

      expect(journal.entries).toEqual([
        'db:insert messages',
        'db:find attempts',
        'kafka:send ns.events',
        'db:mark dispatched',
        'cloud:send up-1',
        'db:insert attempts',
        'db:delete messages',
      ]);
    });

    it('sends it to send/{type}/{audience} in a TOTVS envelope carrying its id, correlation and tenant', async () => {
      const { cloud, handle } = setup();

      await handle(consumedOutbound('up-1', { data: '{"pong":true,"n":1}', correlatedId: 'cloud-msg-7' }));

      expect(cloud.sends).toEqual([
        {
          type: 'DemoPong',
          audience: 'demo-app',
          body: {
            header: {
              type: 'DemoPong',
              tenantId: 'tenant-of-token',
              generatedOn: PUBLISHED_AT,
              transactionId: 'up-1',
              correlationId: 'cloud-msg-7',
            },
            content: { pong: true, n: 1 },
          },
        },
      ]);
    });

    it('records the successful attempt in the history, deletes the row and logs it, with no succeeded event', async () => {
      const { tables, producer, counters, handle } = setup();

      await handle(consumedOutbound('up-1', { correlatedId: 'cloud-msg-7' }));

      expect(tables.rows.has('up-1')).toBe(false);
      expect(tables.history).toEqual([
        expect.objectContaining({
          messageId: 'up-1',
          direction: MessageDirection.Upstream,
          command: 'DemoPong',
          attempt: 1,
          status: AttemptStatus.Success,
          startedAt: NOW,
          finishedAt: NOW,
          error: null,
          data: '{"reply":"up-1"}',
        }),
      ]);
      expect(producer.values(TOPICS.events)).toEqual([
        {
          type: 'published',
          messageId: 'up-1',
          at: NOW.toISOString(),
          command: 'DemoPong',
          audience: 'demo-app',
          correlatedId: 'cloud-msg-7',
        },
      ]);
      expect(producer.values(TOPICS.logs)).toEqual([]);
      expect(tables.logRows).toEqual([
        {
          messageId: 'up-1',
          type: 0,
          message: 'Sent attempt 1 of message up-1 (DemoPong) to the cloud: succeeded',
          date: NOW,
          debug: 'source: executor',
        },
      ]);
      expect(counters).toMatchObject({ outbound: 1, sendsSucceeded: 1, outcomes: 1 });
    });
  });

  describe('when the send fails and may succeed later', () => {
    it.each([
      ['a 503 with Retry-After', new SmartLinkServerError('send', 503, 2_000), 2_000],
      ['a 429', new SmartLinkThrottledError('send', 1_000), 1_000],
      ['a timeout', new SmartLinkTimeoutError('send', 5_000), null],
    ])(
      'records %s as a failed attempt waiting for a retry, with the Retry-After',
      async (_label, error, after) => {
        const { tables, producer, cloud, handle } = setup();
        cloud.answer('up-1', error);

        await handle(consumedOutbound('up-1'));

        expect(tables.rows.get('up-1')).toMatchObject({
          direction: MessageDirection.Upstream,
          status: MessageStatus.WaitingRetry,
          attempts: 1,
          nextAttemptAt: null,
          lastError: error.message,
          tenantId: 'tenant-of-token',
          audience: 'demo-app',
          createdAt: new Date(PUBLISHED_AT),
        });
        expect(tables.history).toEqual([
          expect.objectContaining({ status: AttemptStatus.Failure, error: error.message }),
        ]);
        expect(producer.values(TOPICS.events).at(-1)).toMatchObject({
          type: 'failed',
          direction: 'upstream',
          attempt: 1,
          error: error.message,
          retryAfterMs: after,
        });
        expect(tables.logRows).toEqual([
          expect.objectContaining({
            type: 2,
            message: `Sent attempt 1 of message up-1 (DemoPong) to the cloud: failed, a retry follows: ${error.message}`,
          }),
        ]);
      },
    );
  });

  describe('when the cloud refuses the message itself', () => {
    it.each([
      ['a 400', new SmartLinkRejectedError('send', 400)],
      ['the literal false', new SendRejectedError('DemoPong', 'demo-app')],
    ])('records %s as fatal and makes the message dead', async (_label, error) => {
      const { tables, producer, cloud, counters, handle } = setup();
      cloud.answer('up-1', error);

      await handle(consumedOutbound('up-1'));

      expect(tables.rows.get('up-1')).toMatchObject({ status: MessageStatus.Dead, attempts: 1 });
      expect(tables.history).toEqual([expect.objectContaining({ status: AttemptStatus.Fatal })]);
      const fatal = producer.values(TOPICS.events).at(-1);
      expect(fatal).toMatchObject({ type: 'fatal', error: error.message });
      expect(fatal).not.toHaveProperty('retryAfterMs');
      expect(tables.logRows).toEqual([
        expect.objectContaining({
          type: 2,
          message: expect.stringContaining('failed fatally, the message is dead'),
        }),
      ]);
      expect(counters.sendsFatal).toBe(1);
    });
  });

  describe('when a message is seen again', () => {
    it('does not send again a message that was sent successfully, and removes its re-inserted row', async () => {
      const { tables, cloud, counters, handle } = setup();
      await handle(consumedOutbound('up-1'));

      await handle(consumedOutbound('up-1'));

      expect(cloud.sentIds()).toEqual(['up-1']);
      expect(tables.rows.has('up-1')).toBe(false);
      expect(tables.history).toHaveLength(1);
      expect(counters.duplicateOutbound).toBe(1);
    });

    it('leaves a message with a recorded attempt to the retry scheduler', async () => {
      const { tables, cloud, handle } = setup();
      tables.rows.set('up-1', upstreamRow('up-1', { status: MessageStatus.WaitingRetry, attempts: 1 }));

      await handle(consumedOutbound('up-1'));

      expect(cloud.sends).toEqual([]);
      expect(tables.rows.get('up-1')).toMatchObject({ status: MessageStatus.WaitingRetry, attempts: 1 });
    });

    it.each([
      ['pending (a crash before the dispatch)', MessageStatus.Pending],
      ['dispatched without an attempt (a crash or shutdown mid-send)', MessageStatus.Dispatched],
    ])('sends again a row left %s', async (_label, status) => {
      const { tables, cloud, producer, handle } = setup();
      tables.rows.set('up-1', upstreamRow('up-1', { status }));

      await handle(consumedOutbound('up-1'));

      expect(cloud.sentIds()).toEqual(['up-1']);
      expect(tables.rows.has('up-1')).toBe(false);
      expect(tables.history).toEqual([
        expect.objectContaining({ attempt: 1, status: AttemptStatus.Success }),
      ]);
      // Only a row still pending may lack its `published` event.
      const published = producer.values(TOPICS.events).filter((e) => e['type'] === 'published');
      expect(published).toHaveLength(status === MessageStatus.Pending ? 1 : 0);
    });

    it('removes the row a crash left behind after its successful send was recorded, and sends nothing', async () => {
      const { tables, cloud, handle } = setup();
      // The attempt was recorded, then the process died before the row was deleted and the offset committed.
      tables.rows.set('up-1', upstreamRow('up-1', { status: MessageStatus.Dispatched }));
      tables.history.push(succeededAttempt('up-1', MessageDirection.Upstream, 'DemoPong'));

      await handle(consumedOutbound('up-1'));

      expect(cloud.sends).toEqual([]);
      expect(tables.rows.has('up-1')).toBe(false);
      expect(tables.history).toHaveLength(1);
    });

    it('sends a message repeated in one chunk once', async () => {
      const { cloud, counters, handle } = setup();

      await handle(consumedOutbound('up-1'), consumedOutbound('up-1'));

      expect(cloud.sentIds()).toEqual(['up-1']);
      expect(counters.duplicateOutbound).toBe(1);
    });
  });

  describe('when records cannot be sent', () => {
    it('dead-letters and logs each bad record, and sends the good ones beside them', async () => {
      const { producer, cloud, counters, tables, handle } = setup();

      await handle(
        consumedOutbound('good-1'),
        consumedRaw(TOPICS.outbound, '{not json', 'bad-json'),
        consumedRaw(
          TOPICS.outbound,
          JSON.stringify({ command: 'a/b', audience: 'x', data: '' }),
          'bad-command',
        ),
        consumedRaw(
          TOPICS.outbound,
          JSON.stringify({ command: 'Ok', audience: 'x', data: 'a\u0000b' }),
          'nul',
        ),
        { ...consumedOutbound('ignored'), key: null },
        consumedOutbound('good-2'),
      );

      expect(cloud.sentIds()).toEqual(['good-1', 'good-2']);
      expect([...tables.rows.keys()]).toEqual([]);
      expect(
        producer.values(TOPICS.deadletter).map((d) => [d['messageId'], d['reason'], d['direction']]),
      ).toEqual([
        ['bad-json', 'malformed', 'upstream'],
        ['bad-command', 'illegal-command', 'upstream'],
        ['nul', 'malformed', 'upstream'],
        [null, 'malformed', 'upstream'],
      ]);
      expect(producer.values(TOPICS.logs).filter((l) => l['type'] === 2)).toHaveLength(4);
      expect(counters.rejectedOutbound).toBe(4);
    });

    it('dead-letters a message whose id a received message once held, even with its row gone', async () => {
      const { tables, producer, cloud, handle } = setup();
      tables.history.push(succeededAttempt('old', MessageDirection.Downstream, 'DemoPing'));

      await handle(consumedOutbound('old'));

      expect(cloud.sends).toEqual([]);
      expect(tables.rows.has('old')).toBe(false);
      expect(producer.values(TOPICS.deadletter)).toEqual([
        expect.objectContaining({ messageId: 'old', reason: 'malformed', direction: 'upstream' }),
      ]);
    });

    it('dead-letters a message whose id a received message holds, and never sends it under that id', async () => {
      const { tables, producer, cloud, handle } = setup();
      tables.rows.set('shared', storedRow('shared', { status: MessageStatus.Dispatched }));

      await handle(consumedOutbound('shared'));

      expect(cloud.sends).toEqual([]);
      expect(tables.rows.get('shared')?.direction).toBe(MessageDirection.Downstream);
      expect(producer.values(TOPICS.deadletter)).toEqual([
        expect.objectContaining({ messageId: 'shared', reason: 'malformed', direction: 'upstream' }),
      ]);
    });
  });

  describe('when no RAC token can be had', () => {
    it('stores the message without TENANTID and records a failed attempt for the retry scheduler', async () => {
      const { tables, cloud, handle } = setup();
      cloud.tenantError = new SmartLinkTimeoutError('token', 5_000);

      await handle(consumedOutbound('up-1'));

      expect(cloud.sends).toEqual([]);
      expect(tables.rows.get('up-1')).toMatchObject({
        tenantId: null,
        status: MessageStatus.WaitingRetry,
        attempts: 1,
        lastError: 'Smart Link token call timed out after 5000 ms',
      });
    });
  });

  describe('with many messages', () => {
    it('sends concurrently, never more at once than the setting allows, and records them in one insert', async () => {
      const { cloud, journal, handle } = setup({ sendConcurrency: 3 });
      let open!: () => void;
      cloud.gate = new Promise((resolve) => {
        open = resolve;
      });

      const chunk = handle(...Array.from({ length: 10 }, (_, i) => consumedOutbound(`up-${i}`)));
      await new Promise((r) => setImmediate(r));
      expect(cloud.inFlight).toBe(3);
      open();
      await chunk;

      expect(cloud.maxInFlight).toBe(3);
      expect(cloud.sends).toHaveLength(10);
      expect(journal.entries.filter((e) => e === 'db:insert attempts')).toHaveLength(1);
    });

    it("holds the sends not yet started for the cloud's Retry-After, up to the bound", async () => {
      const { cloud, sleeps, handle } = setup({ sendConcurrency: 1, maxSendPauseMs: 1_500 });
      cloud.answer('up-0', new SmartLinkThrottledError('send', 1_000));
      cloud.answer('up-1', new SmartLinkServerError('send', 503, 60_000));

      await handle(consumedOutbound('up-0'), consumedOutbound('up-1'), consumedOutbound('up-2'));

      expect(sleeps).toEqual([1_000, 1_500]);
      expect(cloud.sentIds()).toEqual(['up-0', 'up-1', 'up-2']);
    });
  });

  describe('when the executor stops', () => {
    it('records what finished in the grace, abandons the rest and hands the chunk back uncommitted', async () => {
      const { cloud, grace, tables, journal, handle } = setup({ sendConcurrency: 1 });
      let open!: () => void;
      cloud.gate = new Promise((resolve) => {
        open = resolve;
      });

      const chunk = handle(consumedOutbound('in-flight'), consumedOutbound('not-started'));
      await new Promise((r) => setImmediate(r));
      grace.end();

      await expect(chunk).rejects.toThrow(ExecutorStoppingError);
      await expect(chunk).rejects.toThrow(/2 send\(s\) not finished/);
      open();
      expect(journal.entries.filter((e) => e.startsWith('cloud:'))).toEqual(['cloud:send in-flight']);
      expect(tables.history).toEqual([]);
      // Both rows wait, dispatched without an attempt, for the redelivery to send them.
      expect(tables.rows.get('not-started')).toMatchObject({ status: MessageStatus.Dispatched, attempts: 0 });
    });
  });
});
