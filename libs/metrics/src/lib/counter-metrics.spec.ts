import { exposeCounters } from './counter-metrics';
import { MetricsRegistry } from './metrics-registry';

describe('exposeCounters', () => {
  it('shows the current value of each named field at scrape time, and nothing else', async () => {
    const registry = new MetricsRegistry({ service: 'log-writer', defaultMetrics: false });
    const counters = { written: 0, failedInserts: 0, latenessMaxMs: 7 };
    exposeCounters(registry, () => counters, {
      written: { name: 'smartlink_log_writer_written_total', help: 'rows written' },
      failedInserts: { name: 'smartlink_log_writer_failed_inserts_total', help: 'failed inserts' },
      latenessMaxMs: null,
    });
    counters.written = 40;
    counters.written += 2;

    const text = await registry.metrics();
    expect(text).toContain('# TYPE smartlink_log_writer_written_total counter');
    expect(text).toContain('smartlink_log_writer_written_total{service="log-writer"} 42');
    expect(text).toContain('smartlink_log_writer_failed_inserts_total{service="log-writer"} 0');
    expect(text).not.toContain('lateness');
  });
});
