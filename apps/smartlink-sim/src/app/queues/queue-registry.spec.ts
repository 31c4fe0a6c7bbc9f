import { parseSimSettings } from '../settings/sim-settings';
import { QueueRegistry } from './queue-registry';

const TENANT = 'tenant-1';

function rig() {
  let now = Date.parse('2024-05-01T12:00:00Z');
  const registry = new QueueRegistry(parseSimSettings({ SIM_VISIBILITY_TIMEOUT_MS: '1000' }), {
    now: () => now,
  });
  return {
    registry,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('QueueRegistry', () => {
  describe('routing', () => {
    it('loses messages published before the tenant queue is set up', () => {
      const { registry } = rig();
      expect(registry.publish(TENANT, [{ body: '{}', type: 'A' }], false)[0]?.status).toBe('unrouted');
      expect(registry.stats()[TENANT]).toMatchObject({ setUp: false, unrouted: 1, ready: 0 });
    });

    it('queues only the types the setup bound, replacing earlier bindings', () => {
      const { registry } = rig();
      registry.setup(TENANT, ['A', 'B']);
      registry.setup(TENANT, ['B', 'C']);
      const statuses = registry
        .publish(
          TENANT,
          ['A', 'B', 'C'].map((type) => ({ body: '{}', type })),
          false,
        )
        .map((o) => o.status);
      expect(statuses).toEqual(['unrouted', 'queued', 'queued']);
      expect(registry.stats()[TENANT]).toMatchObject({ subscriptions: ['B', 'C'], ready: 2, unrouted: 1 });
    });

    it('puts untyped raw bodies and direct publishes straight into the queue', () => {
      const { registry } = rig();
      const outcomes = registry.publish(TENANT, [{ body: '{broken', type: null }], false);
      registry.publish(TENANT, [{ body: '{}', type: 'Unbound' }], true);
      expect(outcomes[0]?.status).toBe('queued');
      expect(registry.take(TENANT, 10).map((t) => t.message.body)).toEqual(['{broken', '{}']);
    });
  });

  it('records acks with their receipt and time', () => {
    const { registry, advance } = rig();
    const [published] = registry.publish(TENANT, [{ body: '{}', type: null, messageId: 'm-1' }], true);
    const [taken] = registry.take(TENANT, 1);
    advance(10);
    expect(registry.ack(TENANT, [taken?.receipt ?? '', 'unknown'])).toEqual({ acked: 1, ignored: 1 });
    expect(registry.acked(TENANT)).toEqual({
      total: 1,
      entries: [
        {
          messageId: published?.messageId,
          receipt: taken?.receipt,
          deliveryCount: 1,
          ackedAt: '2024-05-01T12:00:00.010Z',
        },
      ],
    });
  });

  describe('gets', () => {
    it('records each get with the token that asked and what it handed out, empty ones too', () => {
      const { registry, advance } = rig();
      registry.publish(TENANT, [{ body: '{}', type: null }], true);
      registry.take(TENANT, 10, 'token-a');
      advance(5);
      registry.take(TENANT, 10, 'token-b');
      expect(registry.gets(TENANT)).toEqual({
        total: 2,
        entries: [
          { tenantId: TENANT, tokenId: 'token-a', messages: 1, at: '2024-05-01T12:00:00.000Z' },
          { tenantId: TENANT, tokenId: 'token-b', messages: 0, at: '2024-05-01T12:00:00.005Z' },
        ],
      });
    });

    it('keeps the gets of each tenant apart', () => {
      const { registry } = rig();
      registry.take(TENANT, 1, 'token-a');
      registry.take('tenant-2', 1, 'token-c');
      expect(registry.gets('tenant-2').entries.map((g) => g.tokenId)).toEqual(['token-c']);
      expect(registry.gets().total).toBe(2);
    });
  });

  it('ignores acks for a tenant it never heard of', () => {
    expect(rig().registry.ack('nobody', ['r'])).toEqual({ acked: 0, ignored: 1 });
  });

  it('records a send before setup as accepted but lost', () => {
    const { registry } = rig();
    const record = registry.recordSend({
      tenantId: TENANT,
      type: 'T',
      audience: 'A',
      body: {},
      bodyText: '{}',
      envelope: null,
      headers: {},
    });
    expect(record.queueSetUp).toBe(false);
    registry.setup(TENANT, []);
    registry.recordSend({
      tenantId: TENANT,
      type: 'T',
      audience: 'A',
      body: {},
      bodyText: '{}',
      envelope: null,
      headers: {},
    });
    expect(registry.sent(TENANT).entries.map((r) => r.queueSetUp)).toEqual([false, true]);
    expect(registry.stats()[TENANT]?.sent).toBe(2);
  });

  it('forgets everything on reset', () => {
    const { registry } = rig();
    registry.setup(TENANT, ['A']);
    registry.setVisibilityTimeout(5);
    registry.publish(TENANT, [{ body: '{}', type: 'A' }], false);
    registry.reset();
    expect(registry.stats()).toEqual({});
    expect(registry.getVisibilityTimeout()).toBe(1000);
    expect(registry.sent().total).toBe(0);
  });
});
