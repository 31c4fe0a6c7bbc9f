import { createScratchPostgresDatabase, type ScratchPostgresDatabase } from '@smartlink/rm-tables';
import { SimProcess, uniqueName, waitFor } from '@smartlink/testing';
import { baseEnv, CollectingLogger, PollerApp } from './support/poller-app';
import { CLOUD_CLIENT, SIM_ENV, TENANT } from './support/cloud-client';

// Two replicas of the poller on one namespace, one PostgreSQL database and one cloud queue: only the lease
// holder fetches, the standby is ready and idle, and it takes over as soon as the holder shuts down.

const TAKEOVER_TIMEOUT_MS = 30_000;

describe('two pollers sharing one lease', () => {
  const namespace = uniqueName('poller_lease');
  const logger = new CollectingLogger();
  let database: ScratchPostgresDatabase;
  let sim: SimProcess;
  let pollers: PollerApp[] = [];

  const env = () => ({
    ...baseEnv(namespace),
    ...sim.clientEnv(),
    DB_TYPE: 'postgres',
    DB_URL: `postgres://${database.settings.user}@${database.settings.host}:${database.settings.port}/${database.name}`,
    DB_CONNECT_RETRY_ATTEMPTS: '0',
    SMARTLINK_SUBSCRIPTIONS: 'FinTitlePaid',
    POLL_CONTINUOUS: 'true',
    POLL_IDLE_DELAY_MS: '100',
  });

  const publish = (count: number) =>
    sim.enqueue(
      TENANT,
      Array.from({ length: count }, (_, i) => ({ style: 'totvs', type: 'FinTitlePaid', content: { i } })),
    );

  beforeAll(async () => {
    database = await createScratchPostgresDatabase(process.env['TEST_POSTGRES_URL']);
    sim = await SimProcess.start(CLOUD_CLIENT, SIM_ENV);
    pollers = await Promise.all([PollerApp.start(env(), logger), PollerApp.start(env(), logger)]);
  });

  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.close()));
    await sim?.stop();
    await database?.drop();
  });

  it('lets exactly one of them fetch, while both are ready', async () => {
    const [active, standby] = await waitFor(
      () => {
        const states = pollers.map((p) => p.lease().state());
        if (states.filter((s) => s === 'active').length !== 1 || !states.includes('standby'))
          return undefined;
        return states[0] === 'active' ? pollers : [...pollers].reverse();
      },
      { description: 'one active poller and one standby', timeoutMs: TAKEOVER_TIMEOUT_MS },
    );
    await waitFor(async () => (await sim.stats()).tenants[TENANT]?.setUp, { description: 'the setup' });

    const published = await publish(5);
    await waitFor(async () => (await sim.acked(TENANT)).total >= published.length, {
      description: 'five acks',
    });

    expect(active?.counters()).toMatchObject({ received: 5 });
    expect(active?.counters().gets).toBeGreaterThan(0);
    expect(standby?.counters()).toMatchObject({ gets: 0, received: 0 });
    // The cloud saw no get but the active poller's.
    expect((await sim.stats()).http.requests.get).toBe(active?.counters().gets);
    for (const poller of pollers) {
      const ready = await waitFor(
        async () => {
          const health = await poller.health('ready');
          return health.status === 200 ? health : undefined;
        },
        { description: 'both pollers to be ready' },
      );
      expect(JSON.parse(ready.body)).toMatchObject({
        info: { lease: { status: 'up', state: poller === active ? 'active' : 'standby' } },
      });
    }
  });

  it('hands the queue to the standby as soon as the active poller shuts down', async () => {
    const active = pollers.find((p) => p.lease().state() === 'active') as PollerApp;
    const standby = pollers.find((p) => p !== active) as PollerApp;

    await active.close();
    pollers = [standby];
    // Leaving the group on shutdown hands the lease over without waiting for the session timeout.
    await waitFor(() => standby.lease().isHeld(), {
      description: 'the standby to take the lease',
      timeoutMs: 6_000,
    });

    const published = await publish(3);
    await waitFor(async () => (await sim.acked(TENANT)).total >= 5 + published.length, {
      description: 'the new messages to be acked by the new active poller',
      timeoutMs: TAKEOVER_TIMEOUT_MS,
    });
    expect(standby.counters()).toMatchObject({ received: 3 });
  });
});
