import { registerConsumerLag, type ConsumerLagSource } from './consumer-lag-metric';
import { MetricsRegistry } from './metrics-registry';

class LagDouble implements ConsumerLagSource {
  reads = 0;
  constructor(private readonly lags: Record<string, number | Error>) {}

  async read(groupId: string, topic: string): Promise<{ total: number }> {
    this.reads += 1;
    const lag = this.lags[`${groupId}/${topic}`];
    if (lag === undefined || lag instanceof Error) throw lag ?? new Error('unknown topic');
    return { total: lag };
  }
}

describe('registerConsumerLag', () => {
  it('reports the lag of every group and topic, and leaves out what could not be read', async () => {
    const registry = new MetricsRegistry({ service: 'executor', defaultMetrics: false });
    const source = new LagDouble({ 'g1/t1': 5, 'g1/t2': 0, 'g2/t3': new Error('cluster down') });
    registerConsumerLag(registry, source, () => [
      { groupId: 'g1', topics: ['t1', 't2'] },
      { groupId: 'g2', topics: ['t3'] },
    ]);

    const text = await registry.metrics();
    expect(text).toContain('smartlink_consumer_lag_messages{group="g1",topic="t1",service="executor"} 5');
    expect(text).toContain('smartlink_consumer_lag_messages{group="g1",topic="t2",service="executor"} 0');
    expect(text).not.toContain('topic="t3"');
  });

  it('reuses a reading for the cache time', async () => {
    const registry = new MetricsRegistry({ service: 's', defaultMetrics: false });
    const source = new LagDouble({ 'g/t': 1 });
    registerConsumerLag(registry, source, () => [{ groupId: 'g', topics: ['t'] }], 60_000);
    await registry.metrics();
    await registry.metrics();
    expect(source.reads).toBe(1);
  });
});
