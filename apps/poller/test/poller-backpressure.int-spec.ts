import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KafkaClient, parseKafkaSettings } from '@smartlink/messaging';
import { scratchSqlitePath } from '@smartlink/rm-tables';
import { SimProcess, uniqueName, waitFor } from '@smartlink/testing';
import { baseEnv, CollectingLogger, PollerApp } from './support/poller-app';
import { CLOUD_CLIENT, SIM_ENV, TENANT } from './support/cloud-client';

// Backpressure against the real lag: no executor consumes the received topic here, so every received event counts
// toward the backlog until a consumer in the executor's group commits it.

const HIGH_WATER = 5;
const BATCH = 2;

describe('when the backlog reaches the high-water mark', () => {
  const namespace = uniqueName('poller_backpressure');
  const sqlitePath = scratchSqlitePath();
  const logger = new CollectingLogger();
  const kafka = new KafkaClient(parseKafkaSettings(baseEnv(namespace)), { logger });
  let sim: SimProcess;
  let poller: PollerApp;

  beforeAll(async () => {
    sim = await SimProcess.start(CLOUD_CLIENT, SIM_ENV);
    poller = await PollerApp.start(
      {
        ...baseEnv(namespace),
        ...sim.clientEnv(),
        DB_TYPE: 'sqlite',
        DB_SQLITE_PATH: sqlitePath,
        SMARTLINK_SUBSCRIPTIONS: 'HrEmployeeUpdated',
        POLL_CONTINUOUS: 'true',
        POLL_IDLE_DELAY_MS: '100',
        POLL_BATCH_SIZE: String(BATCH),
        BACKLOG_HIGH_WATER: String(HIGH_WATER),
      },
      logger,
    );
    await waitFor(async () => (await sim.stats()).tenants[TENANT]?.setUp, { description: 'the setup' });
  });

  afterAll(async () => {
    await kafka.stopConsumers();
    await poller?.close();
    await sim?.stop();
    await rm(dirname(sqlitePath), { recursive: true, force: true });
  });

  it('stops fetching once the unconsumed events reach it, leaving the rest in the cloud queue', async () => {
    await sim.enqueue(
      TENANT,
      Array.from({ length: 10 }, (_, i) => ({
        style: 'cloudevents',
        type: 'HrEmployeeUpdated',
        data: { i },
      })),
    );

    await waitFor(() => poller.backpressure().snapshot().engaged, {
      description: 'backpressure to engage',
      timeoutMs: 30_000,
    });

    // Batches of 2 with a mark of 5: after 2 and 4 it fetches on, after 6 it stops.
    expect(poller.counters()).toMatchObject({ gets: 3, received: 6 });
    expect((await sim.stats()).tenants[TENANT]).toMatchObject({ acked: 6, ready: 4 });
    expect(logger.lines.filter((l) => l.includes('reached BACKLOG_HIGH_WATER=5'))).toHaveLength(1);
  });

  it('fetches again once the executor has consumed the received topic', async () => {
    let consumed = 0;
    // Playing the executor: its group on the received topic and the event log commits what it handled, and the
    // lag drops.
    const executor = kafka.createConsumer({
      groupId: `${namespace}.executor.events`,
      topics: [kafka.topics.received, kafka.topics.events],
      handler: async (messages) => {
        consumed += messages.length;
      },
    });
    await executor.start();

    await waitFor(async () => (await sim.acked(TENANT)).total === 10, {
      description: 'the other four to be fetched and acked',
      timeoutMs: 30_000,
    });
    expect(consumed).toBeGreaterThanOrEqual(6);
    expect(poller.counters().received).toBe(10);
    expect(logger.lines.filter((l) => l.includes('below BACKLOG_HIGH_WATER=5: fetching again'))).toHaveLength(
      1,
    );
  });
});
