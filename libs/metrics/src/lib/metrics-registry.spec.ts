import { MetricNameError } from './metric-name-error';
import { MetricsRegistry } from './metrics-registry';

describe('MetricsRegistry', () => {
  it('labels every series with the service and carries the event-loop lag', async () => {
    const registry = new MetricsRegistry({ service: 'executor' });
    registry.counter({ name: 'smartlink_things_total', help: 'things' }).inc(2);
    const text = await registry.metrics();
    expect(text).toContain('smartlink_things_total{service="executor"} 2');
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="executor"\} /m);
    expect(text).toMatch(/^process_resident_memory_bytes\{service="executor"\} /m);
  });

  it('leaves the default metrics out when asked', async () => {
    const registry = new MetricsRegistry({ service: 's', defaultMetrics: false });
    expect(await registry.metrics()).not.toContain('nodejs_eventloop_lag_seconds');
  });

  describe('when a name breaks the convention', () => {
    const registry = new MetricsRegistry({ service: 's', defaultMetrics: false });

    it.each([
      ['no smartlink_ prefix', () => registry.gauge({ name: 'queue_depth', help: 'x' })],
      ['upper case', () => registry.gauge({ name: 'smartlink_Queue', help: 'x' })],
      ['a counter without _total', () => registry.counter({ name: 'smartlink_things', help: 'x' })],
    ])('refuses it (%s)', (_case, create) => {
      expect(create).toThrow(MetricNameError);
    });
  });

  it('reads one series by its labels', async () => {
    const registry = new MetricsRegistry({ service: 's', defaultMetrics: false });
    const counter = registry.counter({ name: 'smartlink_x_total', help: 'x', labelNames: ['command'] });
    counter.inc({ command: 'A' }, 3);
    counter.inc({ command: 'B' });
    await expect(registry.value('smartlink_x_total', { command: 'A' })).resolves.toBe(3);
    await expect(registry.value('smartlink_missing_total')).resolves.toBeUndefined();
  });
});
