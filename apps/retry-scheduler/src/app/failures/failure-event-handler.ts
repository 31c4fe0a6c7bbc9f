import type { LoggerService } from '@nestjs/common';
import { type Clock, messageLogLine } from '@smartlink/common';
import {
  SmartLinkHeaders,
  isLostDuringHandler,
  lifecycleEventCodec,
  type AttemptFinishedEvent,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type TopicNames,
} from '@smartlink/messaging';
import type { RetryDecision, RetryPolicy } from '@smartlink/retry-policy';
import {
  MessageStatus,
  type MessageEntity,
  type MessageExecStore,
  type MessageStore,
  type SettledFailure,
} from '@smartlink/rm-tables';
import type { RetrySchedulerCounters } from '../metrics/retry-scheduler-counters';
import type { RetrySchedulerMetrics } from '../metrics/retry-scheduler-metrics';
import {
  deadLetteredRecords,
  poisonSummary,
  retryScheduledRecords,
  type DeadReason,
} from '../records/scheduler-records';

/** What {@link FailureEventHandler} works with; narrow, so unit tests pass typed doubles. */
export interface FailureEventHandlerDeps {
  readonly messages: Pick<MessageStore, 'findByIds' | 'settleFailedAttempts'>;
  /** GTOTVSLINKMESSAGEEXEC, read once per chunk of dead letters to tell a poison message by its history. */
  readonly attempts: Pick<MessageExecStore, 'findByMessageIds'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'events' | 'logs' | 'deadletter'>;
  /** The policy in force (it may change between chunks when the loader refreshes it). */
  readonly policy: () => RetryPolicy;
  readonly counters: RetrySchedulerCounters;
  /** Dead letters by command, for Prometheus. */
  readonly metrics?: Pick<RetrySchedulerMetrics, 'deadLettered'>;
  readonly clock: Clock;
  readonly logger: LoggerService;
}

/** The schema headers of the events this handler acts on (`lifecycleEventRecord` writes `event/<type>/v1`). */
const FAILURE_SCHEMAS = new Set(['event/failed/v1', 'event/fatal/v1']);

/** A failed or fatal attempt of `<ns>.events`. */
type FailureEvent = AttemptFinishedEvent & { readonly type: 'failed' | 'fatal' };

/** What was decided for one message, kept to build its records once the row is settled. */
interface Planned {
  readonly event: FailureEvent;
  readonly decision: RetryDecision;
}

/**
 * Consumes `failed` and `fatal` events of `<ns>.events` (both directions; the executor's, and the scheduler's own for
 * timed-out dispatches) and plans what follows from the retry policy, counting attempts within the message's current
 * budget (`TENTATIVAS - TENTATIVASBASE`): the next attempt at `DATATENTATIVAEXEC` (a cloud Retry-After overrides the
 * delay for upstream sends) with a `retry-scheduled` event, or a dead letter — row dead, a record on `<ns>.deadletter`,
 * an error log and a `dead-lettered` event. Per chunk: one read, one guarded update, one publish; the update changes
 * only rows still at that attempt and unplanned, so an event about a message that moved on changes nothing, and a
 * redelivered chunk announces again what its first delivery decided (at least once).
 */
export class FailureEventHandler {
  constructor(private readonly deps: FailureEventHandlerDeps) {}

  /** Handles one chunk of the event log; resolves once its effects are durable. */
  async handle(records: readonly ConsumedMessage[]): Promise<void> {
    const failures = this.read(records);
    if (failures.length === 0) return;
    const { messages, counters } = this.deps;
    const now = this.deps.clock.now();
    const policy = this.deps.policy();
    const rows = new Map((await messages.findByIds(failures.map((e) => e.messageId))).map((r) => [r.id, r]));

    const planned = new Map<string, Planned>();
    const settlements: SettledFailure[] = [];
    const out: Outgoing = { events: [], deadLetters: [], logs: [] };
    for (const event of failures) {
      const row = rows.get(event.messageId);
      if (!row || !isCurrentAttempt(row, event.attempt)) {
        counters.staleEvents += 1;
        continue;
      }
      if (row.status === MessageStatus.WaitingRetry && row.nextAttemptAt !== null) {
        // Planned by an earlier delivery of this event, whose announcement may not have gone out: announce again.
        counters.retriesRescheduledAgain += 1;
        push(out, retryScheduledRecords(row, now));
        continue;
      }
      if (row.status !== MessageStatus.WaitingRetry && row.status !== MessageStatus.Dead) {
        counters.staleEvents += 1;
        continue;
      }
      const decision = policy.nextAttempt({
        attempt: event.attempt - row.attemptsBase,
        error: { kind: event.type, message: event.error },
        command: row.command,
        now,
        retryAfterMs: event.direction === 'upstream' ? (event.retryAfterMs ?? null) : null,
      });
      planned.set(row.id, { event, decision });
      settlements.push({
        id: row.id,
        attempt: event.attempt,
        status: decision.kind === 'retry' ? MessageStatus.WaitingRetry : MessageStatus.Dead,
        nextAttemptAt: decision.kind === 'retry' ? decision.at : null,
        now,
      });
    }

    const settled = settlements.length > 0 ? await messages.settleFailedAttempts(settlements) : [];
    counters.staleEvents += settlements.length - settled.length;
    const lost = await this.lostDuringHandler(settled.filter((row) => row.status === MessageStatus.Dead));
    for (const row of settled) {
      const plan = planned.get(row.id) as Planned;
      if (plan.decision.kind === 'retry') {
        counters.retriesScheduled += 1;
        push(out, retryScheduledRecords(row, now));
      } else {
        counters.deadLettered += 1;
        this.deps.metrics?.deadLettered(row.command, plan.event.direction, row.attempts);
        const records = deadLetteredRecords(
          row,
          plan.decision.reason,
          plan.event.error,
          now,
          lost.get(row.id),
        );
        this.reportDead(row, plan.decision.reason, plan.event.error, lost.get(row.id));
        push(out, records);
      }
    }

    const { topics, producer } = this.deps;
    await producer.sendBatch([
      { topic: topics.events, records: out.events },
      { topic: topics.deadletter, records: out.deadLetters },
      { topic: topics.logs, records: out.logs },
    ]);
  }

  /**
   * The failed and fatal events of the chunk, one per message (its latest attempt; fatal wins a tie). Other event
   * types are not the scheduler's; records that cannot be read are counted, logged and skipped.
   */
  private read(records: readonly ConsumedMessage[]): FailureEvent[] {
    const latest = new Map<string, FailureEvent>();
    for (const record of records) {
      // Most of the log is other lifecycle events: the schema header tells them apart without parsing the body.
      const schema = record.headers[SmartLinkHeaders.schema];
      if (schema !== undefined && !FAILURE_SCHEMAS.has(schema)) continue;
      const decoded = lifecycleEventCodec.decode(record);
      if (!decoded.ok) {
        this.deps.counters.malformedEvents += 1;
        this.deps.logger.error(
          `Skipped an unreadable record of the event log at ${record.topic}[${record.partition}]@${record.offset}: ` +
            decoded.error.message,
        );
        continue;
      }
      const event = decoded.value;
      if (event.type !== 'failed' && event.type !== 'fatal') continue;
      const known = latest.get(event.messageId);
      if (
        !known ||
        event.attempt > known.attempt ||
        (event.attempt === known.attempt && event.type === 'fatal')
      ) {
        latest.set(event.messageId, event as FailureEvent);
      }
    }
    return [...latest.values()];
  }

  /**
   * How many attempts of each dead message's current budget were lost while the handler ran, from one read of their
   * GTOTVSLINKMESSAGEEXEC history. Messages with none are left out.
   */
  private async lostDuringHandler(dead: readonly MessageEntity[]): Promise<Map<string, number>> {
    const lost = new Map<string, number>();
    if (dead.length === 0) return lost;
    const rows = new Map(dead.map((row) => [row.id, row]));
    for (const attempt of await this.deps.attempts.findByMessageIds([...rows.keys()])) {
      const row = rows.get(attempt.messageId);
      if (!row || attempt.attempt <= row.attemptsBase || attempt.attempt > row.attempts) continue;
      if (isLostDuringHandler(attempt.error)) lost.set(row.id, (lost.get(row.id) ?? 0) + 1);
    }
    return lost;
  }

  private reportDead(row: MessageEntity, reason: DeadReason, error: string | null, lost = 0): void {
    // Its log record for <ns>.logs goes out with the dead letter (deadLetteredRecords).
    const poison = poisonSummary(row, lost);
    this.deps.logger.warn(
      messageLogLine(
        `Dead-lettered message ${row.id} (${row.command}) after ${row.attempts} attempt(s), ${reason}` +
          `${poison ? ` (${poison})` : ''}: ${error ?? row.lastError ?? ''}`,
        { messageId: row.id, command: row.command, attempt: row.attempts, correlationId: row.correlatedId },
      ),
    );
  }
}

/** What a chunk publishes. */
interface Outgoing {
  readonly events: EventRecord[];
  readonly deadLetters: EventRecord[];
  readonly logs: EventRecord[];
}

function push(
  out: Outgoing,
  records: { event: EventRecord; log: EventRecord; deadLetter?: EventRecord },
): void {
  out.events.push(records.event);
  out.logs.push(records.log);
  if (records.deadLetter) out.deadLetters.push(records.deadLetter);
}

/** True when `attempt` is the row's last recorded attempt and belongs to its current budget (after any redrive). */
function isCurrentAttempt(row: MessageEntity, attempt: number): boolean {
  return row.attempts === attempt && row.attemptsBase < attempt;
}
