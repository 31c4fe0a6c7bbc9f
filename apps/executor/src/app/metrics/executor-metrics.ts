import type { ReceivedEvent } from '@smartlink/messaging';
import { exposeCounters, type Counter, type Histogram, type MetricsRegistry } from '@smartlink/metrics';
import type { RecordedAttempt } from '../attempts/finished-attempt';
import type { ExecutorCounters } from './executor-counters';

/** Messages whose cloud enqueue time is remembered until they succeed; the oldest are forgotten first. */
const CRITICAL_TIME_CAPACITY = 100_000;
/** From a message handled at once to one that waited out retries for an hour. */
const CRITICAL_TIME_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const ATTEMPT_BUCKETS = [1, 2, 3, 4, 5, 7, 10, 15, 20];

/**
 * The executor's Prometheus metrics of its own work. Its counters (`ExecutorCounters`, also on readiness and in
 * tests) are shown as they are; what they do not hold is counted here: attempts by command and outcome, the attempt
 * a message ended on, and the critical time (cloud enqueue → success recorded). The figures of GTOTVSLINKMESSAGE are
 * `MessageTableMetrics`'.
 *
 * All of them are counted where the executor records an attempt (`AttemptRecorder`), not from events: no event
 * reports a success.
 *
 * The critical time is known for messages whose `received` event and successful outcome this replica both handled:
 * the enqueue time travels in the event only.
 */
export class ExecutorMetrics {
  private readonly messages: Counter<'command' | 'direction' | 'outcome'>;
  private readonly attemptsUsed: Histogram<'command' | 'direction' | 'outcome'>;
  private readonly criticalTime: Histogram<'command'>;
  private readonly enqueuedAt = new Map<string, number>();

  constructor(
    registry: MetricsRegistry,
    counters: ExecutorCounters,
    private readonly now: () => number = Date.now,
  ) {
    this.messages = registry.counter({
      name: 'smartlink_messages_total',
      help: 'Attempts recorded in GTOTVSLINKMESSAGEEXEC by how they ended (succeeded, failed, fatal); dead comes from the retry-scheduler',
      labelNames: ['command', 'direction', 'outcome'],
    });
    this.attemptsUsed = registry.histogram({
      name: 'smartlink_message_attempts',
      help: 'The attempt on which a message ended: succeeded here, dead in the retry-scheduler',
      labelNames: ['command', 'direction', 'outcome'],
      buckets: ATTEMPT_BUCKETS,
    });
    this.criticalTime = registry.histogram({
      name: 'smartlink_critical_time_seconds',
      help: 'From the cloud accepting a downstream message to its success recorded here',
      labelNames: ['command'],
      buckets: CRITICAL_TIME_BUCKETS,
    });
    exposeCounters(registry, () => counters, EXECUTOR_COUNTER_METRICS);
  }

  /** Messages stored for the first time: their enqueue time starts the critical time. */
  received(events: readonly Pick<ReceivedEvent, 'messageId' | 'enqueuedAt'>[]): void {
    for (const { messageId, enqueuedAt } of events) {
      const at = enqueuedAt === null ? Number.NaN : Date.parse(enqueuedAt);
      if (Number.isNaN(at)) continue;
      if (this.enqueuedAt.size >= CRITICAL_TIME_CAPACITY) {
        const oldest = this.enqueuedAt.keys().next();
        if (!oldest.done) this.enqueuedAt.delete(oldest.value);
      }
      this.enqueuedAt.set(messageId, at);
    }
  }

  /** Attempts recorded for the first time (redeliveries are not counted again). */
  recorded(attempts: readonly RecordedAttempt[]): void {
    for (const recorded of attempts) {
      const { command, direction, status } = recorded;
      this.messages.inc({ command, direction, outcome: status });
      if (status === 'failed') continue;
      const enqueuedAt = this.enqueuedAt.get(recorded.messageId);
      this.enqueuedAt.delete(recorded.messageId);
      if (status !== 'succeeded') continue;
      this.attemptsUsed.observe({ command, direction, outcome: 'succeeded' }, recorded.attempt);
      if (enqueuedAt !== undefined) {
        this.criticalTime.observe({ command }, Math.max(0, (this.now() - enqueuedAt) / 1000));
      }
    }
  }
}

/** Every field of `ExecutorCounters` as `smartlink_executor_<field>_total`. */
const EXECUTOR_COUNTER_METRICS = {
  received: m('received', 'Received events projected into GTOTVSLINKMESSAGE'),
  published: m('published', 'Command messages published to <ns>.cmd.<Command>'),
  duplicateMessages: m('duplicate_messages', 'Received events of a message stored or succeeded already'),
  ignoredEvents: m('ignored_events', 'Event log records of types the executor does not act on'),
  rejectedEvents: m('rejected_events', 'Received events refused and dead-lettered'),
  outcomes: m('outcomes', 'Attempts recorded in GTOTVSLINKMESSAGEEXEC'),
  duplicateOutcomes: m(
    'duplicate_outcomes',
    'Attempts recorded before (redelivered outcomes, repeated sends)',
  ),
  malformedOutcomes: m('malformed_outcomes', 'Outcomes that could not be read: skipped'),
  unknownOutcomes: m(
    'unknown_outcomes',
    'Outcomes of a message never stored, or of an upstream message: skipped',
  ),
  outbound: m('outbound', 'Messages segments published for the cloud, stored for the first time'),
  duplicateOutbound: m('duplicate_outbound', 'Outbound messages stored already'),
  rejectedOutbound: m('rejected_outbound', 'Outbound records refused and dead-lettered'),
  sendsSucceeded: m('sends_succeeded', 'Sends to the cloud that succeeded'),
  sendsFailed: m('sends_failed', 'Sends to the cloud that failed (retried)'),
  sendsFatal: m('sends_fatal', 'Sends to the cloud that failed fatally'),
  sendsHandedBack: m('sends_handed_back', 'Sends abandoned at the end of the shutdown grace, handed back'),
  retriesDue: m('retries_due', 'Retry-due events acted on'),
  staleRetries: m('stale_retries', 'Retry-due events of a message that moved on: skipped'),
  malformedRetries: m('malformed_retries', 'Retry-due events that could not be read: skipped'),
} as const;

function m(field: string, help: string) {
  return { name: `smartlink_executor_${field}_total`, help };
}
