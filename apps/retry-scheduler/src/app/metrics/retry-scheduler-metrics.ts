import { exposeCounters, type Counter, type Histogram, type MetricsRegistry } from '@smartlink/metrics';
import type { RetrySchedulerCounters } from './retry-scheduler-counters';

/** From on time to a minute late. */
const LATENESS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const ATTEMPT_BUCKETS = [1, 2, 3, 4, 5, 7, 10, 15, 20];

/**
 * The retry-scheduler's Prometheus metrics: its counters (`GET /stats`) as they are, with the two operators watch
 * most under their plain names (`smartlink_retries_due_total`, `smartlink_dead_letters_total`); dead letters by
 * command in `smartlink_messages_total{outcome="dead"}` beside the executor's outcomes; and how late due retries
 * were claimed.
 */
export class RetrySchedulerMetrics {
  private readonly messages: Counter<'command' | 'direction' | 'outcome'>;
  private readonly attemptsUsed: Histogram<'command' | 'direction' | 'outcome'>;
  private readonly lateness: Histogram;

  constructor(registry: MetricsRegistry, counters: RetrySchedulerCounters) {
    this.messages = registry.counter({
      name: 'smartlink_messages_total',
      help: 'Messages dead-lettered (outcome dead), by command; the executor counts the attempts that ended',
      labelNames: ['command', 'direction', 'outcome'],
    });
    this.attemptsUsed = registry.histogram({
      name: 'smartlink_message_attempts',
      help: 'The attempt on which a message ended: dead here, succeeded in the executor',
      labelNames: ['command', 'direction', 'outcome'],
      buckets: ATTEMPT_BUCKETS,
    });
    this.lateness = registry.histogram({
      name: 'smartlink_retry_lateness_seconds',
      help: 'How late a due retry was claimed, after its DATATENTATIVAEXEC',
      buckets: LATENESS_BUCKETS,
    });
    exposeCounters(registry, () => counters, RETRY_SCHEDULER_COUNTER_METRICS);
  }

  /** A message dead-lettered after `attempts` attempts. */
  deadLettered(command: string, direction: 'downstream' | 'upstream', attempts: number): void {
    this.messages.inc({ command, direction, outcome: 'dead' });
    this.attemptsUsed.observe({ command, direction, outcome: 'dead' }, attempts);
  }

  /** A due retry claimed `latenessMs` after it fell due. */
  claimed(latenessMs: number): void {
    this.lateness.observe(Math.max(0, latenessMs) / 1000);
  }
}

const RETRY_SCHEDULER_COUNTER_METRICS = {
  retriesScheduled: m('retries_scheduled', 'Failed attempts whose next attempt was planned'),
  retriesRescheduledAgain: m(
    'retries_rescheduled_again',
    'Planned retries announced again for a redelivered event',
  ),
  deadLettered: {
    name: 'smartlink_dead_letters_total',
    help: 'Messages dead-lettered (fatal, or attempts exhausted)',
  },
  retriesDue: { name: 'smartlink_retries_due_total', help: 'Due retries claimed and announced (retry-due)' },
  claimsReleased: m('claims_released', 'Claims handed back because the announcement could not be published'),
  timedOut: m('timed_out', 'Dispatched messages without an outcome in time, recorded as failed attempts'),
  unplannedAnnounced: m(
    'unplanned_announced',
    'Recorded failures found unplanned after the grace, announced again',
  ),
  staleEvents: m('stale_events', 'Failed/fatal events about a message that had moved on'),
  malformedEvents: m('malformed_events', 'Event log records that could not be read: skipped'),
  redriven: m('redriven', 'Messages put back by redrive requests'),
  latenessMaxMs: null,
  latenessTotalMs: null,
} as const;

function m(field: string, help: string) {
  return { name: `smartlink_retry_scheduler_${field}_total`, help };
}
