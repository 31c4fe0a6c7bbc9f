import { MetricsRegistry } from './metrics-registry';

describe('SharedGauge', () => {
  function replica(reporting: () => boolean) {
    const registry = new MetricsRegistry({ service: 'executor', defaultMetrics: false });
    let reads = 0;
    registry.sharedGauge({
      name: 'smartlink_table_rows_messages',
      help: 'rows of a table every replica sees',
      labelNames: ['status'],
      reporting,
      async collect() {
        reads += 1;
        this.reset();
        this.set({ status: 'pending' }, 7);
      },
    });
    registry.sharedGauge({
      name: 'smartlink_table_oldest_seconds',
      help: 'an unlabelled figure of the same table',
      reporting,
      collect() {
        this.set(42);
      },
    });
    return { registry, reads: () => reads };
  }

  it('is exported with its samples by the replica that reports it', async () => {
    const { registry } = replica(() => true);
    const text = await registry.metrics();
    expect(text).toContain('smartlink_table_rows_messages{status="pending",service="executor"} 7');
    expect(text).toContain('smartlink_table_oldest_seconds{service="executor"} 42');
  });

  it('is exported without a sample, and without reading, by a replica that does not report it', async () => {
    const { registry, reads } = replica(() => false);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE smartlink_table_rows_messages gauge');
    expect(text).toContain('# TYPE smartlink_table_oldest_seconds gauge');
    expect(text).not.toMatch(/^smartlink_table_\w+\{/m);
    expect(reads()).toBe(0);
  });

  it('sums to the one value over replicas, and follows the reporting role as it moves', async () => {
    let holder = 0;
    const replicas = [0, 1, 2].map((i) => replica(() => holder === i).registry);
    const sum = async () => {
      const values = await Promise.all(
        replicas.map((r) => r.value('smartlink_table_rows_messages', { status: 'pending' })),
      );
      return values.reduce<number>((total, value) => total + (value ?? 0), 0);
    };
    await expect(sum()).resolves.toBe(7);
    holder = 2;
    await expect(sum()).resolves.toBe(7);
    await expect(replicas[0]?.value('smartlink_table_oldest_seconds')).resolves.toBeUndefined();
    await expect(replicas[2]?.value('smartlink_table_oldest_seconds')).resolves.toBe(42);
  });

  it('keeps to the naming convention', () => {
    const registry = new MetricsRegistry({ service: 's', defaultMetrics: false });
    expect(() => registry.sharedGauge({ name: 'pending', help: 'x', reporting: () => true })).toThrow(
      /Illegal metric name/,
    );
  });
});
