import {
  deadLetterRecord,
  lifecycleEventRecord,
  logRecordRecord,
  type AttemptFinishedEvent,
  type EventRecord,
} from '@smartlink/messaging';
import { LogType, MessageDirection, type MessageEntity } from '@smartlink/rm-tables';

/** `source` of everything the retry scheduler writes to the logs and dead-letter topics. */
export const RETRY_SCHEDULER_SOURCE = 'retry-scheduler';

/** Why a message was dead-lettered, as the dead letter and the `dead-lettered` event say it. */
export type DeadReason = 'fatal' | 'attempts-exhausted';

/** Stable codes of the dead letters the scheduler writes (`errorCode`). */
export const DEAD_LETTER_CODES: Record<DeadReason, string> = {
  fatal: 'FATAL_ERROR',
  'attempts-exhausted': 'ATTEMPTS_EXHAUSTED',
};

/** The direction of a row, as the topic contracts write it. */
export function directionOf(row: Pick<MessageEntity, 'direction'>): 'downstream' | 'upstream' {
  return row.direction === MessageDirection.Upstream ? 'upstream' : 'downstream';
}

/** `what` of a message in log text: `message <id> (<command>)`. */
function what(row: Pick<MessageEntity, 'id' | 'command'>): string {
  return `message ${row.id} (${row.command})`;
}

/**
 * A planned retry: the `retry-scheduled` event (the attempt that will run, due at `DATATENTATIVAEXEC`) and an info log,
 * so GTOTVSLINKLOG shows when the next attempt is due.
 */
export function retryScheduledRecords(
  row: MessageEntity,
  now: Date,
): { event: EventRecord; log: EventRecord } {
  const attempt = row.attempts + 1;
  const dueAt = (row.nextAttemptAt ?? now).toISOString();
  return {
    event: lifecycleEventRecord({
      type: 'retry-scheduled',
      messageId: row.id,
      at: now.toISOString(),
      command: row.command,
      direction: directionOf(row),
      attempt,
      dueAt,
    }),
    log: logRecordRecord({
      messageId: row.id,
      type: LogType.Info,
      message: `Attempt ${row.attempts} of ${what(row)} failed; attempt ${attempt} is due at ${dueAt}`,
      date: now.toISOString(),
      source: RETRY_SCHEDULER_SOURCE,
    }),
  };
}

/**
 * A dead message: the letter for `<ns>.deadletter` (the message, attempts made, last error, reason, time), the
 * `dead-lettered` event and an error log for GTOTVSLINKLOG.
 */
export function deadLetteredRecords(
  row: MessageEntity,
  reason: DeadReason,
  error: string | null,
  now: Date,
  lostDuringHandler = 0,
): { deadLetter: EventRecord; event: EventRecord; log: EventRecord } {
  const poison = poisonSummary(row, lostDuringHandler);
  const lastError = poison
    ? `${poison}; last: ${error ?? row.lastError ?? ''}`
    : (error ?? row.lastError ?? '');
  const why =
    reason === 'fatal'
      ? 'the attempt failed fatally'
      : `attempts exhausted (${row.attempts - row.attemptsBase} of the retry policy's budget)`;
  return {
    deadLetter: deadLetterRecord(
      {
        messageId: row.id,
        command: row.command,
        tenantId: row.tenantId,
        correlatedId: row.correlatedId,
        direction: directionOf(row),
        data: row.data,
        attempts: row.attempts,
        reason,
        errorCode: DEAD_LETTER_CODES[reason],
        lastError,
        deadAt: now.toISOString(),
        source: RETRY_SCHEDULER_SOURCE,
      },
      row.id,
    ),
    event: lifecycleEventRecord({
      type: 'dead-lettered',
      messageId: row.id,
      at: now.toISOString(),
      command: row.command,
      direction: directionOf(row),
      attempts: row.attempts,
      reason,
      error: lastError,
    }),
    log: logRecordRecord({
      messageId: row.id,
      type: LogType.Error,
      message: `Dead-lettered ${what(row)} after ${row.attempts} attempt(s): ${why}: ${lastError}`,
      date: now.toISOString(),
      source: RETRY_SCHEDULER_SOURCE,
    }),
  };
}

/**
 * What a dead letter says when attempts of its budget were lost while the handler ran (see `isLostDuringHandler`):
 * `dead-lettered after 3 attempts: the handler's process ended during each of them (a poison message)`, or `during 2 of
 * them`. Undefined when none was.
 */
export function poisonSummary(
  row: Pick<MessageEntity, 'attempts' | 'attemptsBase'>,
  lostDuringHandler: number,
): string | undefined {
  if (lostDuringHandler <= 0) return undefined;
  const attempts = row.attempts - row.attemptsBase;
  const during =
    lostDuringHandler >= attempts ? 'each of them (a poison message)' : `${lostDuringHandler} of them`;
  return `dead-lettered after ${attempts} attempt(s): the handler's process ended during ${during}`;
}

/** A due retry claimed: the `retry-due` event the executor runs it from (attempt `TENTATIVAS` + 1). */
export function retryDueRecord(row: MessageEntity, now: Date): EventRecord {
  return lifecycleEventRecord({
    type: 'retry-due',
    messageId: row.id,
    at: now.toISOString(),
    command: row.command,
    direction: directionOf(row),
    attempt: row.attempts + 1,
    dueAt: (row.nextAttemptAt ?? now).toISOString(),
  });
}

/**
 * A failed attempt announced by the scheduler itself: a dispatch that timed out (recorded now), or a recorded failure
 * whose announcement was lost. The `failed` event is what plans the next attempt, like the executor's; the log
 * says why, for a timeout.
 */
export function failedAttemptRecords(
  row: MessageEntity,
  attempt: number,
  error: string,
  startedAt: Date,
  now: Date,
): { event: EventRecord; log: EventRecord } {
  const event: AttemptFinishedEvent = {
    type: 'failed',
    messageId: row.id,
    at: now.toISOString(),
    command: row.command,
    direction: directionOf(row),
    attempt,
    error,
    startedAt: startedAt.toISOString(),
    finishedAt: now.toISOString(),
  };
  return {
    event: lifecycleEventRecord(event),
    log: logRecordRecord({
      messageId: row.id,
      type: LogType.Error,
      message: `Attempt ${attempt} of ${what(row)} failed: ${error}`,
      date: now.toISOString(),
      source: RETRY_SCHEDULER_SOURCE,
    }),
  };
}

/** A dead message an operator put back: the `redriven` event and an info log saying who, how, why and when. */
export function redrivenRecords(
  row: MessageEntity,
  request: { readonly by: string; readonly reason: string | null; readonly via: 'http' | 'cli' },
  now: Date,
): { event: EventRecord; log: EventRecord } {
  const dueAt = (row.nextAttemptAt ?? now).toISOString();
  return {
    event: lifecycleEventRecord({
      type: 'redriven',
      messageId: row.id,
      at: now.toISOString(),
      command: row.command,
      direction: directionOf(row),
      by: request.by,
      reason: request.reason,
    }),
    log: logRecordRecord({
      messageId: row.id,
      type: LogType.Info,
      message:
        `Redriven by ${request.by} (${request.via})${request.reason === null ? '' : `, reason: ${request.reason}`}: ` +
        `${what(row)}, dead after ${row.attempts} attempt(s), runs again as attempt ${row.attempts + 1} at ${dueAt} ` +
        'with a fresh attempt budget',
      date: now.toISOString(),
      source: RETRY_SCHEDULER_SOURCE,
    }),
  };
}
