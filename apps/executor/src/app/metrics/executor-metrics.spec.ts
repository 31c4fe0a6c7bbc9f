import type { OutcomeStatus } from '@smartlink/messaging';
import { MetricsRegistry } from '@smartlink/metrics';
import type { RecordedAttempt } from '../attempts/finished-attempt';
import { ExecutorCounters } from './executor-counters';
import { ExecutorMetrics } from './executor-metrics';

const NOW = Date.parse('2026-11-28T10:00:10.000Z');

function finished(messageId: string, status: OutcomeStatus, attempt = 1): RecordedAttempt {
  return {
    messageId,
    command: 'DemoPing',
    direction: 'downstream',
    attempt,
    status,
    error: status === 'succeeded' ? null : 'boom',
    startedAt: new Date(NOW),
    finishedAt: new Date(NOW),
    retryAfterMs: null,
  };
}

function setup() {
  const registry = new MetricsRegistry({ service: 'executor', defaultMetrics: false });
  const counters = new ExecutorCounters();
  const metrics = new ExecutorMetrics(registry, counters, () => NOW);
  return { registry, counters, metrics };
}

describe('ExecutorMetrics', () => {
  it('names every series smartlink_..., with units, and shows the executor counters as they are', async () => {
    const { registry, counters } = setup();
    counters.received = 7;
    const text = await registry.metrics();
    const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => `${name} ${type}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'smartlink_messages_total counter',
        'smartlink_message_attempts histogram',
        'smartlink_critical_time_seconds histogram',
        'smartlink_executor_received_total counter',
        'smartlink_executor_retries_due_total counter',
      ]),
    );
    expect(names.every((n) => n.startsWith('smartlink_'))).toBe(true);
    expect(text).toContain('smartlink_executor_received_total{service="executor"} 7');
  });

  it('counts recorded attempts by command, direction and outcome', async () => {
    const { registry, metrics } = setup();
    metrics.recorded([finished('a', 'succeeded'), finished('b', 'failed'), finished('c', 'fatal')]);
    for (const outcome of ['succeeded', 'failed', 'fatal']) {
      await expect(
        registry.value('smartlink_messages_total', { command: 'DemoPing', direction: 'downstream', outcome }),
      ).resolves.toBe(1);
    }
  });

  it('measures the critical time from the cloud enqueue to the recorded success, once', async () => {
    const { registry, metrics } = setup();
    metrics.received([{ messageId: 'a', enqueuedAt: '2026-11-28T10:00:08.500Z' }]);
    metrics.recorded([finished('a', 'failed', 1)]);
    metrics.recorded([finished('a', 'succeeded', 2)]);
    metrics.recorded([finished('a', 'succeeded', 2)]);

    const text = await registry.metrics();
    expect(text).toMatch(/^smartlink_critical_time_seconds_sum\{[^}]*command="DemoPing"[^}]*\} 1\.5$/m);
    expect(text).toMatch(/^smartlink_critical_time_seconds_count\{[^}]*\} 1$/m);
    expect(text).toMatch(/^smartlink_message_attempts_bucket\{le="1",[^}]*outcome="succeeded"[^}]*\} 0$/m);
    expect(text).toMatch(/^smartlink_message_attempts_bucket\{le="2",[^}]*outcome="succeeded"[^}]*\} 2$/m);
  });
});
