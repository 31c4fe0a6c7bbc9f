import {
  registerConsumerLag,
  type ConsumerLagSource,
  type GroupMember,
  type TopicPartitions,
} from './consumer-lag-metric';
import { MetricsRegistry } from './metrics-registry';

/** Lag per partition of each `group/topic`, or the error reading it throws. */
class LagDouble implements ConsumerLagSource {
  reads = 0;
  constructor(private readonly lags: Record<string, readonly number[] | Error>) {}

  async read(groupId: string, topic: string) {
    this.reads += 1;
    const lags = this.lags[`${groupId}/${topic}`];
    if (lags === undefined || lags instanceof Error) throw lags ?? new Error('unknown topic');
    return { partitions: lags.map((lag, partition) => ({ partition, lag })) };
  }
}

class MemberDouble implements GroupMember {
  constructor(
    readonly groupId: string,
    public assigned: TopicPartitions[],
  ) {}

  assignment(): readonly TopicPartitions[] {
    return this.assigned;
  }
}

/** One replica: its own registry and its members of the groups. */
function replica(source: ConsumerLagSource, members: GroupMember[], cacheMs?: number) {
  const registry = new MetricsRegistry({ service: 'executor', defaultMetrics: false });
  registerConsumerLag(registry, source, () => members, cacheMs);
  return registry;
}

async function lagOf(registry: MetricsRegistry, group: string, topic: string) {
  return registry.value('smartlink_consumer_lag_messages', { group, topic });
}

describe('registerConsumerLag', () => {
  it('reports the lag of the partitions this replica is assigned, per group and topic', async () => {
    const source = new LagDouble({ 'g1/t1': [5, 7, 11], 'g1/t2': [0, 3], 'g2/t3': [4] });
    const registry = replica(source, [
      new MemberDouble('g1', [
        { topic: 't1', partitions: [0, 2] },
        { topic: 't2', partitions: [1] },
      ]),
      new MemberDouble('g2', [{ topic: 't3', partitions: [0] }]),
    ]);

    await expect(lagOf(registry, 'g1', 't1')).resolves.toBe(16);
    await expect(lagOf(registry, 'g1', 't2')).resolves.toBe(3);
    await expect(lagOf(registry, 'g2', 't3')).resolves.toBe(4);
  });

  describe('when two replicas share a group', () => {
    it('sums over the replicas to the lag of the whole group, each partition counted once', async () => {
      const source = new LagDouble({ 'g/t': [1, 10, 100, 1000, 10000, 100000] });
      const first = replica(source, [new MemberDouble('g', [{ topic: 't', partitions: [0, 2, 4] }])]);
      const second = replica(source, [new MemberDouble('g', [{ topic: 't', partitions: [1, 3, 5] }])]);

      const values = await Promise.all([lagOf(first, 'g', 't'), lagOf(second, 'g', 't')]);
      expect(values).toEqual([10101, 101010]);
      expect((values[0] ?? 0) + (values[1] ?? 0)).toBe(111111);
    });

    it('exports no series from a replica that holds no partition of the topic', async () => {
      const source = new LagDouble({ 'g/t': [9] });
      const idle = new MemberDouble('g', [{ topic: 't', partitions: [] }]);
      const registry = replica(source, [idle]);
      expect(await registry.metrics()).not.toMatch(/^smartlink_consumer_lag_messages\{/m);
      expect(source.reads).toBe(0);

      idle.assigned = [{ topic: 't', partitions: [0] }];
      await expect(lagOf(registry, 'g', 't')).resolves.toBe(9);
    });

    it('stops reporting partitions taken away by a rebalance', async () => {
      const source = new LagDouble({ 'g/t': [2, 3] });
      const member = new MemberDouble('g', [{ topic: 't', partitions: [0, 1] }]);
      const registry = replica(source, [member]);
      await expect(lagOf(registry, 'g', 't')).resolves.toBe(5);
      member.assigned = [];
      expect(await registry.metrics()).not.toMatch(/^smartlink_consumer_lag_messages\{/m);
    });
  });

  it('leaves out a topic whose lag cannot be read rather than reporting zero', async () => {
    const source = new LagDouble({ 'g/t1': [5], 'g/t2': new Error('cluster down') });
    const registry = replica(source, [
      new MemberDouble('g', [
        { topic: 't1', partitions: [0] },
        { topic: 't2', partitions: [0] },
      ]),
    ]);
    const text = await registry.metrics();
    expect(text).toContain('smartlink_consumer_lag_messages{group="g",topic="t1",service="executor"} 5');
    expect(text).not.toContain('topic="t2"');
  });

  it('reuses a reading for the cache time', async () => {
    const source = new LagDouble({ 'g/t': [1] });
    const registry = replica(source, [new MemberDouble('g', [{ topic: 't', partitions: [0] }])], 60_000);
    await registry.metrics();
    await registry.metrics();
    expect(source.reads).toBe(1);
  });
});
