import { MetricsRegistry } from '@smartlink/metrics';
import { RetrySchedulerCounters } from './retry-scheduler-counters';
import { RetrySchedulerMetrics } from './retry-scheduler-metrics';

describe('RetrySchedulerMetrics', () => {
  function setup() {
    const registry = new MetricsRegistry({ service: 'retry-scheduler', defaultMetrics: false });
    const counters = new RetrySchedulerCounters();
    return { registry, counters, metrics: new RetrySchedulerMetrics(registry, counters) };
  }

  it('shows retries due and dead letters under their plain names, and the other counters per field', async () => {
    const { registry, counters } = setup();
    counters.retriesDue = 4;
    counters.deadLettered = 2;
    counters.timedOut = 1;
    counters.latenessMaxMs = 900;
    const text = await registry.metrics();
    expect(text).toContain('smartlink_retries_due_total{service="retry-scheduler"} 4');
    expect(text).toContain('smartlink_dead_letters_total{service="retry-scheduler"} 2');
    expect(text).toContain('smartlink_retry_scheduler_timed_out_total{service="retry-scheduler"} 1');
    expect(text).not.toMatch(/lateness_max/);
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name as string);
    expect(names.every((name) => /^smartlink_[a-z_]+$/.test(name))).toBe(true);
  });

  it('counts dead letters by command as the dead outcome of messages, and how late retries were claimed', async () => {
    const { registry, metrics } = setup();
    metrics.deadLettered('DemoInvoiceIssued', 'downstream', 5);
    metrics.claimed(1_500);
    await expect(
      registry.value('smartlink_messages_total', {
        command: 'DemoInvoiceIssued',
        direction: 'downstream',
        outcome: 'dead',
      }),
    ).resolves.toBe(1);
    const text = await registry.metrics();
    expect(text).toMatch(/^smartlink_retry_lateness_seconds_sum\{[^}]*\} 1\.5$/m);
    expect(text).toMatch(/^smartlink_message_attempts_sum\{[^}]*outcome="dead"[^}]*\} 5$/m);
  });
});
