import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  deadLetterCodec,
  KafkaClient,
  lifecycleEventCodec,
  logRecordCodec,
  parseKafkaSettings,
  type ConsumedMessage,
} from '@smartlink/messaging';
import { scratchSqlitePath } from '@smartlink/rm-tables';
import { SimProcess, uniqueName, waitFor, type SimEnqueued, type SimMessage } from '@smartlink/testing';
import { baseEnv, CollectingLogger, PollerApp } from './support/poller-app';
import { CLIENT_SECRET, CLOUD_CLIENT, SIM_ENV, TENANT } from './support/cloud-client';
import { TopicCollector } from './support/topic-collector';

// The poller in interval mode against the simulator (as a process), a real broker and a SQLite file: every
// delivery is appended to Kafka and only then acked; bad ones are dead-lettered beside the good ones.

const MAX_PAYLOAD_BYTES = 2_048;

function decoded<T>(result: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

describe('the poller draining the cloud queue', () => {
  const namespace = uniqueName('poller_drain');
  const sqlitePath = scratchSqlitePath();
  const logger = new CollectingLogger();
  const kafka = new KafkaClient(parseKafkaSettings(baseEnv(namespace)), { logger });
  let sim: SimProcess;
  let poller: PollerApp;
  let observer: TopicCollector;

  beforeAll(async () => {
    sim = await SimProcess.start(CLOUD_CLIENT, SIM_ENV);
    poller = await PollerApp.start(
      {
        ...baseEnv(namespace),
        ...sim.clientEnv(),
        DB_TYPE: 'sqlite',
        DB_SQLITE_PATH: sqlitePath,
        SMARTLINK_SUBSCRIPTIONS: 'HrEmployeeUpdated,FinTitlePaid',
        SMARTLINK_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
        POLL_INTERVAL_MS: '1000',
        POLL_BATCH_SIZE: '4',
      },
      logger,
    );
    observer = await TopicCollector.start(kafka, [
      kafka.topics.received,
      kafka.topics.deadletter,
      kafka.topics.logs,
    ]);
  });

  afterAll(async () => {
    await observer?.stop();
    await poller?.close();
    await sim?.stop();
    await kafka.stopConsumers();
    await rm(dirname(sqlitePath), { recursive: true, force: true });
  });

  it('is live at once and ready once the subscriptions are set up, active as the only poller', async () => {
    await expect(poller.health('live')).resolves.toMatchObject({ status: 200 });
    const ready = await waitFor(
      async () => {
        const health = await poller.health('ready');
        return health.status === 200 ? health : undefined;
      },
      { description: 'the poller to be ready' },
    );
    const body = JSON.parse(ready.body) as { info: Record<string, Record<string, unknown>> };
    expect(body.info['setup']).toMatchObject({ status: 'up', subscriptions: 2, tenantId: TENANT });
    expect(body.info['lease']).toMatchObject({
      status: 'up',
      state: 'active',
      group: `${namespace}.poller.lease`,
    });
    expect(body.info['database']).toMatchObject({ status: 'up' });
    expect(body.info['kafka']).toMatchObject({ status: 'up' });
    expect((await sim.stats()).tenants[TENANT]).toMatchObject({
      setUp: true,
      subscriptions: ['FinTitlePaid', 'HrEmployeeUpdated'],
    });
  });

  describe('given valid, malformed, oversize and illegal-command messages in one queue', () => {
    const valid = Array.from({ length: 9 }, (_, i): SimMessage =>
      i % 2 === 0
        ? {
            style: 'cloudevents',
            type: 'HrEmployeeUpdated',
            data: { employee: i, name: 'João' },
            correlationId: `corr-${i}`,
            source: 'rh',
          }
        : { style: 'totvs', type: 'FinTitlePaid', content: { title: `T-${i}` }, transactionId: `tx-${i}` },
    );
    const bad: { raw: string }[] = [
      { raw: '{"specversion": "1.0", "type": "HrEmp' },
      {
        raw: JSON.stringify({
          specversion: '1.0',
          id: 'big-1',
          type: 'HrEmployeeUpdated',
          data: 'x'.repeat(5_000),
        }),
      },
      { raw: JSON.stringify({ specversion: '1.0', id: 'evil-1', type: '../../etc/passwd', data: {} }) },
    ];
    let published: SimEnqueued[];

    beforeAll(async () => {
      published = await sim.enqueue(TENANT, [
        valid[0],
        bad[0],
        ...valid.slice(1, 5),
        bad[1],
        ...valid.slice(5),
        bad[2],
      ]);
      if (!published.every((p) => p.status === 'queued'))
        throw new Error('the simulator did not queue them all');
      await waitFor(async () => (await sim.acked(TENANT)).total >= published.length, {
        description: 'every delivery to be acked',
        timeoutMs: 45_000,
      });
    });

    it('acks every delivery exactly once, the bad ones too, and leaves the queue empty', async () => {
      const acked = await sim.acked(TENANT);
      expect(acked.entries.map((e) => e.messageId).sort()).toEqual(published.map((p) => p.messageId).sort());
      expect((await sim.stats()).tenants[TENANT]).toMatchObject({
        ready: 0,
        inFlight: 0,
        acked: published.length,
      });
    });

    it('appends every valid message as a received event keyed by its id, exactly as sent', async () => {
      const validIds = published.filter((_, i) => ![1, 6, 11].includes(i)).map((p) => p.id);
      const events = await waitFor(
        () => {
          const records = observer.on(`${namespace}.received`);
          return records.length >= validIds.length ? records : undefined;
        },
        { description: 'the received events' },
      );
      expect(events).toHaveLength(validIds.length);
      expect(events.map((e) => e.key).sort()).toEqual([...validIds].sort());
      const byId = new Map(events.map((e) => [e.key, decoded(lifecycleEventCodec.decode(e))]));

      const first = byId.get(published[0]?.id ?? '');
      expect(first).toEqual({
        type: 'received',
        messageId: published[0]?.id,
        at: expect.any(String),
        command: 'HrEmployeeUpdated',
        tenantId: TENANT,
        correlatedId: 'corr-0',
        data: '{"employee":0,"name":"João"}',
        source: 'rh',
        occurredAt: expect.any(String),
        enqueuedAt: expect.any(String),
        envelope: 'cloudevents',
      });
      const totvs = byId.get(published[2]?.id ?? '');
      expect(totvs).toMatchObject({
        messageId: published[2]?.messageId,
        command: 'FinTitlePaid',
        tenantId: TENANT,
        correlatedId: null,
        data: '{"title":"T-1"}',
        source: null,
        envelope: 'totvs',
      });
      expect(events.every((e) => e.headers['smartlink-schema'] === 'event/received/v1')).toBe(true);
    });

    it('dead-letters each bad message with its reason and raw body, and logs an error for it', async () => {
      const letters = await waitFor(
        () => {
          const records = observer.on(`${namespace}.deadletter`);
          return records.length >= 3 ? records : undefined;
        },
        { description: 'three dead letters' },
      );
      const byKey = new Map(letters.map((l: ConsumedMessage) => [l.key, decoded(deadLetterCodec.decode(l))]));
      expect(byKey.get(published[1]?.messageId ?? '')).toMatchObject({
        reason: 'malformed',
        errorCode: 'MALFORMED_MESSAGE',
        data: bad[0]?.raw,
        source: 'poller',
        direction: 'downstream',
      });
      expect(byKey.get(published[6]?.messageId ?? '')).toMatchObject({
        reason: 'oversize',
        errorCode: 'PAYLOAD_TOO_LARGE',
        data: bad[1]?.raw,
      });
      expect(byKey.get(published[11]?.messageId ?? '')).toMatchObject({
        reason: 'illegal-command',
        errorCode: 'ILLEGAL_COMMAND_NAME',
        data: bad[2]?.raw,
      });

      const logs = await waitFor(
        () => {
          const records = observer.on(`${namespace}.logs`);
          return records.length >= 3 ? records : undefined;
        },
        { description: 'three error logs' },
      );
      expect(logs.map((l) => decoded(logRecordCodec.decode(l)))).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            type: 2,
            source: 'poller',
            message: expect.stringContaining('illegal-command'),
          }),
        ]),
      );
      expect(
        logger.lines.filter((line) => line.includes('Refused a message from the cloud queue')),
      ).toHaveLength(3);
    });

    it('never writes the client secret to its logs or health output', async () => {
      const ready = await poller.health('ready');
      expect(ready.body).not.toContain(CLIENT_SECRET);
      expect(logger.lines.join('\n')).not.toContain(CLIENT_SECRET);
    });
  });
});
