import type { ReceivedEvent } from '@smartlink/messaging';
import { MessageStatus } from '@smartlink/rm-tables';
import { uniqueName } from '@smartlink/testing';
import { ExecutorHarness, TEST_DATABASES, type TestDatabase } from './support/executor-harness';

// Probes and shutdown of the executor as Kubernetes sees them: liveness, readiness, and a clean stop on SIGTERM
// (app.close() runs the same shutdown hooks) within the 20 s a pod gets, handing what it did not finish to the next.

/** Kubernetes' default grace period between SIGTERM and SIGKILL. */
const GRACE_PERIOD_MS = 20_000;

function received(messageId: string): ReceivedEvent {
  return {
    type: 'received',
    messageId,
    at: '2026-11-28T10:00:00.000Z',
    command: 'DemoPing',
    tenantId: 'tenant-1',
    correlatedId: null,
    data: '{}',
    source: null,
    occurredAt: null,
    enqueuedAt: null,
    envelope: 'totvs',
  };
}

describe.each(TEST_DATABASES)('the executor lifecycle on $name', ({ create }) => {
  let database: TestDatabase;
  const running: ExecutorHarness[] = [];

  beforeAll(async () => {
    database = await create();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((executor) => executor.stop()));
  });

  afterAll(async () => {
    await database?.dispose();
  });

  async function start(env: Record<string, string> = {}): Promise<ExecutorHarness> {
    const executor = await ExecutorHarness.start(database.settings, env);
    running.push(executor);
    return executor;
  }

  it('is live, and ready once the database, the cluster and all three consumers are up', async () => {
    const executor = await start();

    const live = await executor.get('/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await executor.get('/health/ready');
    expect(ready.status).toBe(200);
    const namespace = executor.topics.namespace;
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      info: {
        database: { status: 'up' },
        kafka: { status: 'up', brokers: 1 },
        'events-consumer': { status: 'up', groupId: `${namespace}.executor.events` },
        'outcomes-consumer': { status: 'up', groupId: `${namespace}.executor.outcomes` },
        'outbound-consumer': { status: 'up', groupId: `${namespace}.executor.outbound` },
      },
    });
  });

  it('stops within the grace period, and the next instance takes over what it left', async () => {
    const namespace = uniqueName('executor_restart');
    const first = await start({ SMARTLINK_TOPIC_NAMESPACE: namespace });
    const ids = Array.from({ length: 200 }, (_, i) => `${namespace}-${i}`);
    await first.receive(...ids.map(received));

    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(GRACE_PERIOD_MS);

    const second = await start({ SMARTLINK_TOPIC_NAMESPACE: namespace });
    const rows = await second.waitForRows(
      ids,
      (r) => r.length === ids.length && r.every((row) => row.status === MessageStatus.Dispatched),
      'every message dispatched by one instance or the other',
    );
    expect(rows).toHaveLength(200);
  });
});
