import type { LoggerService } from '@nestjs/common';
import { type Clock, crashPoint } from '@smartlink/common';
import {
  decodeOutcomesTopicValue,
  isAttemptStarted,
  logRecordRecord,
  type AttemptStarted,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type Outcome,
  type TopicNames,
} from '@smartlink/messaging';
import {
  DATA_OF_MESSAGE,
  MessageDirection,
  type MessageExecStore,
  type MessageStore,
} from '@smartlink/rm-tables';
import type { AttemptRecorder } from '../attempts/attempt-recorder';
import type { FinishedAttempt } from '../attempts/finished-attempt';
import type { ExecutorCounters } from '../metrics/executor-counters';
import type { MessageLog } from '../records/message-log';
import { MAX_STORABLE_ATTEMPT, holdsNul, isStorableInstant } from '../records/storable-values';

/** What {@link OutcomeHandler} works with; narrow, so unit tests pass typed doubles. */
export interface OutcomeHandlerDeps {
  readonly messages: Pick<MessageStore, 'findOrigins' | 'markStarted'>;
  readonly attempts: Pick<MessageExecStore, 'findByMessageIds'>;
  readonly recorder: Pick<AttemptRecorder, 'record'>;
  /** Publishes the logs of skipped outcomes to `<ns>.logs`. */
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'logs'>;
  readonly counters: ExecutorCounters;
  readonly messageLog: MessageLog;
  readonly clock: Clock;
  readonly logger: LoggerService;
}

/**
 * The message an outcome belongs to, as far as its history row needs it. Its payload stays in the database while the
 * message's row is there ({@link DATA_OF_MESSAGE}); only a message whose row is gone brings it from its history.
 */
interface Origin {
  readonly command: string;
  readonly direction: MessageDirection;
  readonly data: string | null | typeof DATA_OF_MESSAGE;
}

/** An outcome of a known downstream message, ready to be recorded. */
interface Attributed {
  readonly outcome: Outcome;
  readonly origin: Origin;
}

/**
 * Consumes `<ns>.outcomes`: records each attempt once in GTOTVSLINKMESSAGEEXEC (unique per message id and attempt),
 * then applies its effect on the message — succeeded deletes the row, failed waits for a retry (the retry scheduler
 * sets the time), fatal makes it dead — and publishes the log and, for a failed or fatal attempt, the lifecycle
 * event, through the {@link AttemptRecorder}. Per chunk: one read of the rows, one history insert, one update and one
 * delete, one publish. Effects are applied whether or not the history row was new, and are idempotent, so a crash
 * after the insert is repaired by the redelivery.
 */
export class OutcomeHandler {
  constructor(private readonly deps: OutcomeHandlerDeps) {}

  /** Handles one chunk of outcomes; resolves once its effects are durable. */
  async handle(records: readonly ConsumedMessage[]): Promise<void> {
    const { logger } = this.deps;
    const { outcomes, markers } = this.read(records);
    // Markers first: an attempt's marker precedes its outcome, and the outcome's guarded updates supersede it.
    if (markers.length > 0) await this.applyMarkers(markers);
    const { attributed, logs } = await this.attribute(outcomes);
    // Before the attempts: once the skipped outcomes' logs are out, a failure below redelivers them at most twice.
    if (logs.length > 0)
      await this.deps.producer.sendBatch([{ topic: this.deps.topics.logs, records: logs }]);
    if (attributed.length === 0) return;

    // A redelivered outcome is judged by what was recorded first: history rows are never updated, and the message
    // must end in the state its history tells, even if the segment reported the same attempt differently.
    const recorded = await this.deps.recorder.record(attributed.map(finishedAttempt));
    crashPoint('executor.after-outcome-recorded');
    if (recorded.redelivered > 0) {
      logger.debug?.(
        `Absorbed ${recorded.redelivered} redelivered outcome(s); their effects are applied again`,
      );
    }
  }

  /**
   * Decodes the chunk: one outcome per (message id, attempt); records that cannot be read, or hold a value no column
   * could store, are counted, logged and skipped.
   */
  private read(records: readonly ConsumedMessage[]): { outcomes: Outcome[]; markers: AttemptStarted[] } {
    const outcomes = new Map<string, Outcome>();
    const markers: AttemptStarted[] = [];
    for (const record of records) {
      const decoded = decodeOutcomesTopicValue(record);
      if (decoded.ok && isAttemptStarted(decoded.value)) {
        const marker = decoded.value;
        if (holdsNul(marker.messageId) || marker.attempt > MAX_STORABLE_ATTEMPT) {
          this.deps.counters.malformedOutcomes += 1;
          continue;
        }
        if (isStorableInstant(marker.startedAt) && isStorableInstant(marker.outcomeDueBy))
          markers.push(marker);
        continue;
      }
      const problem = decoded.ok ? unstorable(decoded.value as Outcome) : decoded.error.message;
      if (!decoded.ok || problem !== null) {
        this.deps.counters.malformedOutcomes += 1;
        this.deps.logger.error(
          `Skipped an outcome that cannot be recorded, at ${record.topic}[${record.partition}]@${record.offset}: ${problem}`,
        );
        continue;
      }
      const outcome = decoded.value as Outcome;
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
    return { outcomes: [...outcomes.values()], markers };
  }

  /**
   * Records the start of each attempt on its row (guarded per marker: only a row still at the attempt before; the
   * chunk's markers in one statement, or as few as the database's parameter limit allows), so the retry scheduler
   * can tell an attempt that started and never reported from one never started. A marker that arrives late (the
   * attempt finished or was swept) changes nothing.
   */
  private async applyMarkers(markers: readonly AttemptStarted[]): Promise<void> {
    await this.deps.messages.markStarted(
      markers.map((m) => ({
        id: m.messageId,
        attempt: m.attempt,
        startedAt: new Date(m.startedAt),
        outcomeDueBy: new Date(m.outcomeDueBy),
      })),
    );
  }

  /**
   * Finds the message of each outcome: its row, or, once the row is gone (the message succeeded meanwhile), its
   * recorded history. An outcome of a message never stored, or of an upstream message, is logged and skipped.
   */
  private async attribute(
    outcomes: readonly Outcome[],
  ): Promise<{ attributed: Attributed[]; logs: EventRecord[] }> {
    if (outcomes.length === 0) return { attributed: [], logs: [] };
    const { messages, attempts, counters, messageLog } = this.deps;
    const now = this.deps.clock.now();
    const logs: EventRecord[] = [];
    const ids = [...new Set(outcomes.map((o) => o.messageId))];
    const origins = new Map<string, Origin>(
      (await messages.findOrigins(ids)).map((row) => [row.id, { ...row, data: DATA_OF_MESSAGE }]),
    );
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
      const fields = {
        messageId: outcome.messageId,
        attempt: outcome.attempt,
        command: origin?.command ?? null,
      };
      if (!origin) {
        counters.unknownOutcomes += 1;
        logs.push(messageLog.warn(`Skipped ${what}: no such message was ever stored`, fields, now));
        logs.push(...inlineLogRecords(outcome));
      } else if (origin.direction !== MessageDirection.Downstream) {
        counters.unknownOutcomes += 1;
        logs.push(
          messageLog.error(
            `Skipped ${what}: it is an upstream message, which no segment executes`,
            fields,
            now,
          ),
        );
        logs.push(...inlineLogRecords(outcome));
      } else {
        attributed.push({ outcome, origin });
      }
    }
    return { attributed, logs };
  }
}

/** The log lines of a skipped outcome, as log records for `<ns>.logs`: the log writer keeps them. */
function inlineLogRecords(outcome: Outcome): EventRecord[] {
  return (outcome.logs ?? []).map((line) => logRecordRecord({ messageId: outcome.messageId, ...line }));
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

/** An outcome of a known downstream message as a finished attempt, with the command and payload of its message. */
function finishedAttempt({ outcome, origin }: Attributed): FinishedAttempt {
  return {
    messageId: outcome.messageId,
    command: origin.command,
    direction: origin.direction,
    attempt: outcome.attempt,
    status: outcome.status,
    error: outcome.error ?? null,
    startedAt: new Date(outcome.startedAt),
    finishedAt: new Date(outcome.finishedAt),
    data: origin.data,
    ...(outcome.logs !== undefined && outcome.logs.length > 0 && { logs: outcome.logs }),
  };
}
