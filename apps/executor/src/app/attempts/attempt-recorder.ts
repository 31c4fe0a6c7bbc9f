import { type Clock, crashPoint } from '@smartlink/common';
import {
  type EventProducer,
  type EventRecord,
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
  type AttemptLog,
  type NewAttempt,
} from '@smartlink/rm-tables';
import type { ExecutorCounters } from '../metrics/executor-counters';
import type { ExecutorMetrics } from '../metrics/executor-metrics';
import { inlineLogRow, recordedAttemptEvent, recordedAttemptLogRow } from '../records/executor-records';
import type { FinishedAttempt, RecordedAttempt } from './finished-attempt';

/** What {@link AttemptRecorder} works with; narrow, so unit tests pass typed doubles. */
export interface AttemptRecorderDeps {
  readonly messages: Pick<MessageStore, 'recordFailedAttempts' | 'deleteSucceeded'>;
  readonly attempts: Pick<MessageExecStore, 'insertIgnoringDuplicates' | 'findByMessageIds'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'events'>;
  /** Counts attempts recorded (`outcomes`) and recorded before (`duplicateOutcomes`), as soon as the insert is done. */
  readonly counters: Pick<ExecutorCounters, 'outcomes' | 'duplicateOutcomes'>;
  /**
   * Counts the attempts written now by command and outcome, the attempt a message succeeded on, and the critical
   * time of successes: here, where the attempt is recorded, since no event on `<ns>.events` reports a success.
   */
  readonly metrics: Pick<ExecutorMetrics, 'recorded'>;
  readonly clock: Clock;
}

/** What recording a set of attempts did. */
export interface RecordedAttempts {
  /** The attempts as recorded, one per attempt given, in the order given. */
  readonly attempts: readonly RecordedAttempt[];
  /** Attempts whose history row was written now. */
  readonly written: number;
  /** Attempts whose (message id, attempt) was recorded before: judged by what was recorded first. */
  readonly redelivered: number;
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
 * Records finished attempts, of both directions, the same way: one history row per (message id, attempt) in
 * GTOTVSLINKMESSAGEEXEC, with its log rows in GTOTVSLINKLOG (the segment's lines sent inline in the outcome and the
 * executor's own line) in the same transaction, then the effect on the message — succeeded deletes the row, failed
 * waits for a retry (the retry scheduler sets the time), fatal makes it dead — then, in one publish, the lifecycle
 * event of every failed or fatal attempt, which the retry scheduler plans from. Nothing goes to `<ns>.logs`. A success has no event: the
 * outcome record (downstream) and the history row already say that the attempt ended, and nothing acts on it. Each
 * step is durable before the next, and every step is idempotent: an attempt recorded before (a redelivery, or a
 * crash after the insert) is judged by its first record, since history rows are never updated, and its effects are
 * applied again.
 */
export class AttemptRecorder {
  constructor(private readonly deps: AttemptRecorderDeps) {}

  async record(finished: readonly FinishedAttempt[]): Promise<RecordedAttempts> {
    if (finished.length === 0) return { attempts: [], written: 0, redelivered: 0 };
    const { attempts, clock } = this.deps;
    const now = clock.now();
    // The attempts' log rows (the segment's lines from the outcome, then the executor's own) are written with the
    // history rows, in one transaction and only for the attempts written now: durable before the offset commits,
    // and a redelivered outcome adds none.
    const written = await attempts.insertIgnoringDuplicates(
      finished.map(newAttempt),
      finished.flatMap((f) => attemptLogs(f, now)),
    );
    crashPoint('executor.after-attempt-insert');
    const fresh = new Set(written.map((w) => keyOf(w.messageId, w.attempt)));
    const redelivered = finished.filter((f) => !fresh.has(keyOf(f.messageId, f.attempt)));
    this.deps.counters.outcomes += written.length;
    this.deps.counters.duplicateOutcomes += redelivered.length;
    const recorded = new Map<string, MessageExecEntity>();
    if (redelivered.length > 0) {
      const history = await attempts.findByMessageIds(redelivered.map((f) => f.messageId));
      for (const row of history) recorded.set(keyOf(row.messageId, row.attempt), row);
    }
    const recordedAttempts = finished.map((f) =>
      recordedAttempt(f, recorded.get(keyOf(f.messageId, f.attempt))),
    );

    await this.applyEffects(recordedAttempts, now);
    this.deps.metrics.recorded(recordedAttempts.filter((a) => fresh.has(keyOf(a.messageId, a.attempt))));

    const events = recordedAttempts
      .map((attempt) => recordedAttemptEvent(attempt, now))
      .filter((event): event is EventRecord => event !== null);
    if (events.length > 0) {
      await this.deps.producer.sendBatch([{ topic: this.deps.topics.events, records: events }]);
    }
    return { attempts: recordedAttempts, written: written.length, redelivered: redelivered.length };
  }

  /** Succeeded: delete the row. Failed: wait for a retry. Fatal: dead. Each statement is idempotent. */
  private async applyEffects(attempts: readonly RecordedAttempt[], now: Date): Promise<void> {
    const failures: FailedAttemptUpdate[] = attempts
      .filter((attempt) => attempt.status !== 'succeeded')
      .map((attempt) => ({
        id: attempt.messageId,
        attempt: attempt.attempt,
        status: attempt.status === 'failed' ? MessageStatus.WaitingRetry : MessageStatus.Dead,
        // The retry scheduler owns the retry policy and sets the time of the next attempt.
        nextAttemptAt: null,
        lastError: attempt.error,
        now,
      }));
    if (failures.length > 0) await this.deps.messages.recordFailedAttempts(failures);
    const succeeded = attempts
      .filter((attempt) => attempt.status === 'succeeded')
      .map((attempt) => attempt.messageId);
    if (succeeded.length > 0) await this.deps.messages.deleteSucceeded(succeeded);
  }
}

/** The log rows of a finished attempt, should its history row be written now: the segment's lines, then the executor's. */
function attemptLogs(f: FinishedAttempt, now: Date): AttemptLog[] {
  const rows = (f.logs ?? []).map((line) => inlineLogRow(f.messageId, line, f.finishedAt));
  rows.push(recordedAttemptLogRow(recordedAttempt(f, undefined), now));
  return rows.map((log) => ({ messageId: f.messageId, attempt: f.attempt, log }));
}

function keyOf(messageId: string, attempt: number): string {
  return `${attempt}:${messageId}`;
}

function newAttempt(f: FinishedAttempt): NewAttempt {
  return {
    messageId: f.messageId,
    direction: f.direction,
    command: f.command,
    attempt: f.attempt,
    status: STATUS_OF[f.status],
    startedAt: f.startedAt,
    finishedAt: f.finishedAt,
    error: f.error,
    data: f.data,
  };
}

/** A finished attempt as recorded: from its history row when one was there first. */
function recordedAttempt(f: FinishedAttempt, recorded: MessageExecEntity | undefined): RecordedAttempt {
  const status = recorded ? OUTCOME_OF[recorded.status] : f.status;
  return {
    messageId: f.messageId,
    command: f.command,
    direction: f.direction === MessageDirection.Upstream ? 'upstream' : 'downstream',
    attempt: f.attempt,
    status,
    error: recorded ? recorded.error : f.error,
    startedAt: recorded?.startedAt ?? f.startedAt,
    finishedAt: recorded?.finishedAt ?? f.finishedAt,
    retryAfterMs: recorded ? null : (f.retryAfterMs ?? null),
  };
}
