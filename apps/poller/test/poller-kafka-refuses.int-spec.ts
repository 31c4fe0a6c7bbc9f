import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KafkaClient, parseKafkaSettings } from '@smartlink/messaging';
import { scratchSqlitePath } from '@smartlink/rm-tables';
import { SimProcess, uniqueName, waitFor } from '@smartlink/testing';
import { baseEnv, CollectingLogger, PollerApp } from './support/poller-app';
import { CLOUD_CLIENT, SIM_ENV, TENANT } from './support/cloud-client';

// "Never ack the cloud before Kafka has the message durably." The event log is created beforehand with a record
// size limit no event fits (max.message.bytes=100), so the broker refuses every append of a batch while it stays
// up and answers everything else (lag, health). The poller must then ack nothing.

describe('when Kafka does not take the batch', () => {
  const namespace = uniqueName('poller_kafka_refuses');
  const sqlitePath = scratchSqlitePath();
  const logger = new CollectingLogger();
  const kafka = new KafkaClient(parseKafkaSettings(baseEnv(namespace)), { logger });
  const admin = kafka.createAdmin();
  let sim: SimProcess;
  let poller: PollerApp;

  beforeAll(async () => {
    await admin.ensureTopics([kafka.topicSpec(kafka.topics.received, { 'max.message.bytes': '100' })]);
    sim = await SimProcess.start(CLOUD_CLIENT, SIM_ENV);
    poller = await PollerApp.start(
      {
        ...baseEnv(namespace),
        ...sim.clientEnv(),
        KAFKA_RETRIES: '1',
        DB_TYPE: 'sqlite',
        DB_SQLITE_PATH: sqlitePath,
        SMARTLINK_SUBSCRIPTIONS: 'HrEmployeeUpdated',
        POLL_CONTINUOUS: 'true',
        POLL_IDLE_DELAY_MS: '100',
      },
      logger,
    );
  });

  afterAll(async () => {
    await poller?.close();
    await sim?.stop();
    await admin.disconnect();
    await rm(dirname(sqlitePath), { recursive: true, force: true });
  });

  it('acks nothing, leaving the messages with the cloud to be handed out again', async () => {
    await waitFor(async () => (await sim.stats()).tenants[TENANT]?.setUp, { description: 'the setup' });
    const published = await sim.enqueue(
      TENANT,
      Array.from({ length: 3 }, (_, i) => ({ style: 'cloudevents', type: 'HrEmployeeUpdated', data: { i } })),
    );
    expect(published.map((p) => p.status)).toEqual(['queued', 'queued', 'queued']);

    await waitFor(() => poller.counters().appendFailures >= 1, {
      description: 'an append to fail',
      timeoutMs: 45_000,
    });

    expect(poller.counters()).toMatchObject({ received: 0, acked: 0 });
    expect(await sim.acked(TENANT)).toMatchObject({ total: 0 });
    // Delivered to the poller and not acked: invisible until the visibility timeout returns them to the queue.
    expect((await sim.stats()).tenants[TENANT]).toMatchObject({ inFlight: 3, acked: 0 });
    expect(
      logger.lines.some((line) => line.includes('none of them is acked') && line.includes('KAFKA_')),
    ).toBe(true);
  });
});
