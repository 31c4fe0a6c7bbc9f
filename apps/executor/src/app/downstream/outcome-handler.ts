import type { LoggerService } from '@nestjs/common';
import {
  outcomeCodec,
  type AttemptFinishedEvent,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type Outcome,
  type OutcomeStatus,
  type TopicNames,
} from '@smartlink/messaging';
import {
  AttemptStatus,
  MessageDirection,
  MessageStatus,
  type FailedAttemptUpdate,
  type MessageExecEntity,
  type MessageExecStore,
  type MessageStore,
  type NewAttempt,
} from '@smartlink/rm-tables';
import type { Clock } from '../clock/clock';
import type { ExecutorCounters } from '../metrics/executor-counters';
import { attemptFinishedRecords } from './executor-records';
import { MAX_STORABLE_ATTEMPT, holdsNul, isStorableInstant } from './storable-values';

/** What {@link OutcomeHandler} works with; narrow, so unit tests pass typed doubles. */
export interface OutcomeHandlerDeps {
  readonly messages: Pick<MessageStore, 'findByIds' | 'recordFailedAttempts' | 'deleteSucceeded'>;
  readonly attempts: Pick<MessageExecStore, 'insertIgnoringDuplicates' | 'findByMessageIds'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'events' | 'logs'>;
  readonly counters: ExecutorCounters;
  readonly clock: Clock;
  readonly logger: LoggerService;
}

/** The message an outcome belongs to, as far as its history row needs it. */
interface Origin {
  readonly command: string;
  readonly direction: MessageDirection;
  readonly data: string | null;
}

/** An outcome of a known downstream message, ready to be recorded. */
interface Attributed {
  readonly outcome: Outcome;
  readonly origin: Origin;
}

const STATUS_OF: Record<OutcomeStatus, AttemptStatus> = {
  succeeded: AttemptStatus.Success,
  failed: AttemptStatus.Failure,
  fatal: AttemptStatus.Fatal,
};
const OUTCOME_OF: Record<AttemptStatus, OutcomeStatus> = {
  [AttemptStatus.Success]: 'succeeded',
  [AttemptStatus.Failure]: 'failed',
  [AttemptStatus.Fatal]: 'fatal',
};

/**
 * Consumes `<ns>.outcomes`: records each attempt once in GTOTVSLINKMESSAGEEXEC (unique per message id and attempt),
 * then applies its effect on the message — succeeded deletes the row, failed waits for a retry (the retry scheduler
 * sets the time), fatal makes it dead — and emits the lifecycle event and the log. Per chunk: one read of the rows,
 * one history insert, one update and one delete, one publish. Effects are applied whether or not the history row was
 * new, and are idempotent, so a crash after the insert is repaired by the redelivery.
 */
export class OutcomeHandler {
  constructor(private readonly deps: OutcomeHandlerDeps) {}

  /** Handles one chunk of outcomes; resolves once its effects are durable. */
  async handle(records: readonly ConsumedMessage[]): Promise<void> {
    const { attempts, counters, logger } = this.deps;
    const now = this.deps.clock.now();
    const outcomes = this.read(records);
    const attributed = await this.attribute(outcomes);
    if (attributed.length === 0) return;

    const written = await attempts.insertIgnoringDuplicates(attributed.map(newAttempt));
    counters.outcomes += written.length;
    const fresh = new Set(written.map((w) => keyOf(w.messageId, w.attempt)));
    const redelivered = attributed.filter((a) => !fresh.has(keyOf(a.outcome.messageId, a.outcome.attempt)));
    // A redelivered outcome is judged by what was recorded first: history rows are never updated, and the message
    // must end in the state its history tells, even if the segment reported the same attempt differently.
    const recorded = new Map<string, MessageExecEntity>();
    if (redelivered.length > 0) {
      counters.duplicateOutcomes += redelivered.length;
      logger.debug?.(
        `Absorbed ${redelivered.length} redelivered outcome(s); their effects are applied again`,
      );
      const history = await attempts.findByMessageIds(redelivered.map((a) => a.outcome.messageId));
      for (const row of history) recorded.set(keyOf(row.messageId, row.attempt), row);
    }
    const finished = attributed.map((a) =>
      finishedEvent(a, recorded.get(keyOf(a.outcome.messageId, a.outcome.attempt)), now),
    );

    await this.applyEffects(finished, now);

    const events: EventRecord[] = [];
    const logs: EventRecord[] = [];
    for (const event of finished) {
      const out = attemptFinishedRecords(event);
      events.push(out.event);
      logs.push(out.log);
    }
    await this.deps.producer.sendBatch([
      { topic: this.deps.topics.events, records: events },
      { topic: this.deps.topics.logs, records: logs },
    ]);
  }

  /**
   * Decodes the chunk: one outcome per (message id, attempt); records that cannot be read, or hold a value no column
   * could store, are counted, logged and skipped.
   */
  private read(records: readonly ConsumedMessage[]): Outcome[] {
    const outcomes = new Map<string, Outcome>();
    for (const record of records) {
      const decoded = outcomeCodec.decode(record);
      const problem = decoded.ok ? unstorable(decoded.value) : decoded.error.message;
      if (!decoded.ok || problem !== null) {
        this.deps.counters.malformedOutcomes += 1;
        this.deps.logger.error(
          `Skipped an outcome that cannot be recorded, at ${record.topic}[${record.partition}]@${record.offset}: ${problem}`,
        );
        continue;
      }
      const outcome = decoded.value;
      const key = keyOf(outcome.messageId, outcome.attempt);
      if (outcomes.has(key)) {
        this.deps.counters.duplicateOutcomes += 1;
        continue;
      }
      // PostgreSQL text refuses NUL; an error message is worth keeping even with that character replaced.
      outcomes.set(
        key,
        outcome.error === undefined
          ? outcome
          : { ...outcome, error: outcome.error.replaceAll('\u0000', '\uFFFD') },
      );
    }
    return [...outcomes.values()];
  }

  /**
   * Finds the message of each outcome: its row, or, once the row is gone (the message succeeded meanwhile), its
   * recorded history. An outcome of a message never stored, or of an upstream message, is logged and skipped.
   */
  private async attribute(outcomes: readonly Outcome[]): Promise<Attributed[]> {
    if (outcomes.length === 0) return [];
    const { messages, attempts, counters, logger } = this.deps;
    const ids = [...new Set(outcomes.map((o) => o.messageId))];
    const origins = new Map<string, Origin>((await messages.findByIds(ids)).map((row) => [row.id, row]));
    const missing = ids.filter((id) => !origins.has(id));
    if (missing.length > 0) {
      for (const row of await attempts.findByMessageIds(missing)) {
        if (!origins.has(row.messageId)) origins.set(row.messageId, row);
      }
    }
    const attributed: Attributed[] = [];
    for (const outcome of outcomes) {
      const origin = origins.get(outcome.messageId);
      const what = `the outcome of attempt ${outcome.attempt} of message ${outcome.messageId}`;
      if (!origin) {
        counters.unknownOutcomes += 1;
        logger.warn(`Skipped ${what}: no such message was ever stored`);
      } else if (origin.direction !== MessageDirection.Downstream) {
        counters.unknownOutcomes += 1;
        logger.error(`Skipped ${what}: it is an upstream message, which no segment executes`);
      } else {
        attributed.push({ outcome, origin });
      }
    }
    return attributed;
  }

  /** Succeeded: delete the row. Failed: wait for a retry. Fatal: dead. Each statement is idempotent. */
  private async applyEffects(finished: readonly AttemptFinishedEvent[], now: Date): Promise<void> {
    const failures: FailedAttemptUpdate[] = finished
      .filter((event) => event.type !== 'succeeded')
      .map((event) => ({
        id: event.messageId,
        attempt: event.attempt,
        status: event.type === 'failed' ? MessageStatus.WaitingRetry : MessageStatus.Dead,
        // The retry scheduler owns the retry policy and sets the time of the next attempt.
        nextAttemptAt: null,
        lastError: event.error,
        now,
      }));
    if (failures.length > 0) await this.deps.messages.recordFailedAttempts(failures);
    const succeeded = finished.filter((event) => event.type === 'succeeded').map((event) => event.messageId);
    if (succeeded.length > 0) await this.deps.messages.deleteSucceeded(succeeded);
  }
}

/** Why an outcome could not be stored, if it could not. */
function unstorable(outcome: Outcome): string | null {
  if (holdsNul(outcome.messageId)) return 'the message id holds a NUL character';
  if (outcome.attempt > MAX_STORABLE_ATTEMPT)
    return `attempt ${outcome.attempt} is beyond ${MAX_STORABLE_ATTEMPT}`;
  if (!isStorableInstant(outcome.startedAt) || !isStorableInstant(outcome.finishedAt)) {
    return 'startedAt or finishedAt is outside the years 1 to 9999';
  }
  return null;
}

function keyOf(messageId: string, attempt: number): string {
  return `${attempt}:${messageId}`;
}

/** The history row of an attempt: the outcome, with the command, direction and payload of its message. */
function newAttempt({ outcome, origin }: Attributed): NewAttempt {
  return {
    messageId: outcome.messageId,
    direction: origin.direction,
    command: origin.command,
    attempt: outcome.attempt,
    status: STATUS_OF[outcome.status],
    startedAt: new Date(outcome.startedAt),
    finishedAt: new Date(outcome.finishedAt),
    error: outcome.error ?? null,
    data: origin.data,
  };
}

/** The lifecycle event of a recorded attempt, from its history row when one was there first. */
function finishedEvent(
  { outcome, origin }: Attributed,
  recorded: MessageExecEntity | undefined,
  now: Date,
): AttemptFinishedEvent {
  return {
    type: recorded ? OUTCOME_OF[recorded.status] : outcome.status,
    messageId: outcome.messageId,
    at: now.toISOString(),
    command: origin.command,
    direction: 'downstream',
    attempt: outcome.attempt,
    error: recorded ? recorded.error : (outcome.error ?? null),
    startedAt: recorded ? recorded.startedAt.toISOString() : outcome.startedAt,
    finishedAt: recorded ? recorded.finishedAt.toISOString() : outcome.finishedAt,
  };
}
