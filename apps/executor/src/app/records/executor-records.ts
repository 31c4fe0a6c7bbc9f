import {
  deadLetterRecord,
  lifecycleEventRecord,
  logRecordRecord,
  MAX_LOG_MESSAGE_LENGTH,
  type AttemptFinishedEvent,
  type EventRecord,
  type InlineLog,
} from '@smartlink/messaging';
import type { NewLog } from '@smartlink/rm-tables';
import type { RecordedAttempt } from '../attempts/finished-attempt';
import type { RejectedEvent } from '../downstream/read-received-events';
import type { RejectedOutbound } from '../upstream/read-outbound-messages';
import { isStorableInstant } from './storable-values';

/** `source` of everything the executor writes to the logs and dead-letter topics. */
export const EXECUTOR_SOURCE = 'executor';

/** GTOTVSLINKLOG.LOGTYPE values (seed §04). */
const INFO = 0;
const ERROR = 2;

/**
 * The dead letter and the error log of a refused `received` event. The dead letter keeps what could be read of the
 * message for an operator; the key falls back to the record's position when there is no usable message id.
 */
export function rejectedEventRecords(
  rejected: RejectedEvent,
  now: Date,
): { deadLetter: EventRecord; log: EventRecord } {
  const { record, message, error, reason } = rejected;
  const position = `${record.topic}[${record.partition}]@${record.offset}`;
  const deadLetter = deadLetterRecord(
    {
      messageId: message.messageId,
      command: message.command,
      tenantId: message.tenantId,
      correlatedId: message.correlatedId,
      direction: 'downstream',
      data: message.data,
      attempts: 0,
      reason,
      errorCode: error.code,
      lastError: error.message,
      deadAt: now.toISOString(),
      source: EXECUTOR_SOURCE,
    },
    position,
  );
  const id = loggableId(message.messageId);
  const log = logRecordRecord({
    ...(id === undefined ? {} : { messageId: id }),
    type: ERROR,
    message: `Refused the received message ${id ?? `at ${position}`} and dead-lettered it: ${error.message}`,
    date: now.toISOString(),
    source: EXECUTOR_SOURCE,
  });
  return { deadLetter, log };
}

/**
 * The dead letter and the error log of a refused outbound record (a segment's message for the cloud): what could be
 * read of it, keyed by its id or, without a usable one, by the record's position.
 */
export function rejectedOutboundRecords(
  rejected: RejectedOutbound,
  now: Date,
): { deadLetter: EventRecord; log: EventRecord } {
  const { record, error, reason } = rejected;
  const position = `${record.topic}[${record.partition}]@${record.offset}`;
  const deadLetter = deadLetterRecord(
    {
      messageId: rejected.messageId,
      command: rejected.command,
      tenantId: null,
      correlatedId: rejected.correlatedId,
      direction: 'upstream',
      data: rejected.data,
      attempts: 0,
      reason,
      errorCode: error.code,
      lastError: error.message,
      deadAt: now.toISOString(),
      source: EXECUTOR_SOURCE,
    },
    position,
  );
  const id = loggableId(rejected.messageId);
  const log = logRecordRecord({
    ...(id === undefined ? {} : { messageId: id }),
    type: ERROR,
    message: `Refused the message published ${id === undefined ? `at ${position}` : `as ${id}`} and dead-lettered it: ${error.message}`,
    date: now.toISOString(),
    source: EXECUTOR_SOURCE,
  });
  return { deadLetter, log };
}

/**
 * The lifecycle event of an attempt the executor recorded at `now`, only when it failed or was fatal: the event the
 * retry scheduler plans from. A success has no event: nothing acts on it, and what it would say is recorded once
 * already, in the history row and, downstream, in the segment's outcome record.
 */
export function recordedAttemptEvent(attempt: RecordedAttempt, now: Date): EventRecord | null {
  return attempt.status === 'succeeded'
    ? null
    : lifecycleEventRecord(failureEvent(attempt, attempt.status, now));
}

/**
 * The executor's log row about an attempt it recorded at `now`, for GTOTVSLINKLOG: info when it succeeded, error when
 * it failed (a retry follows) or was fatal (the message is dead). The row the log writer would make of the same log
 * record (DATADEBUG names the source). Downstream attempts were executed by a segment, upstream ones sent to the cloud.
 */
export function recordedAttemptLogRow(attempt: RecordedAttempt, now: Date): NewLog {
  const what = `attempt ${attempt.attempt} of message ${attempt.messageId} (${attempt.command})`;
  const did = attempt.direction === 'upstream' ? `Sent ${what} to the cloud` : `Executed ${what}`;
  const message =
    attempt.status === 'succeeded'
      ? `${did}: succeeded`
      : attempt.status === 'failed'
        ? `${did}: failed, a retry follows: ${attempt.error ?? ''}`
        : `${did}: failed fatally, the message is dead: ${attempt.error ?? ''}`;
  return {
    messageId: attempt.messageId,
    type: attempt.status === 'succeeded' ? INFO : ERROR,
    message: storableText(message.slice(0, MAX_LOG_MESSAGE_LENGTH)),
    date: now,
    debug: `source: ${EXECUTOR_SOURCE}`,
  };
}

/**
 * The GTOTVSLINKLOG row of a log line that came inline in an attempt's outcome: the row the log writer makes of the
 * same line as a log record on `<ns>.logs` (IDMENSAGEM the outcome's message id, DATADEBUG `source: <source>` above
 * the line's debug text). What no column could hold is repaired as the log writer repairs it, and noted: NUL becomes
 * U+FFFD, a date outside the years 1 to 9999 becomes `fallbackDate` (the attempt's end).
 */
export function inlineLogRow(messageId: string, line: InlineLog, fallbackDate: Date): NewLog {
  const repairs: string[] = [];
  const message = storableText(line.message);
  if (message !== line.message) repairs.push('NUL characters in the text were replaced by U+FFFD');
  const debug = line.debug === undefined ? null : storableText(line.debug);
  const source = storableText(line.source);
  if (debug !== (line.debug ?? null) || source !== line.source) {
    repairs.push('NUL characters in the debug text or the source were replaced by U+FFFD');
  }
  let date = new Date(line.date);
  if (!isStorableInstant(line.date)) {
    repairs.push(
      `the date ${JSON.stringify(line.date)} is not a storable instant; the attempt's end is used`,
    );
    date = fallbackDate;
  }
  const lines = [`source: ${source}`, ...repairs.map((r) => `${EXECUTOR_SOURCE}: ${r}`)];
  if (debug) lines.push(debug);
  return { messageId, type: line.type, message, date, debug: lines.join('\n') };
}

/** PostgreSQL text refuses NUL; U+FFFD keeps the spot visible, as the log writer does. */
function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/** The `failed` or `fatal` event of a recorded attempt. */
function failureEvent(attempt: RecordedAttempt, type: 'failed' | 'fatal', now: Date): AttemptFinishedEvent {
  return {
    type,
    messageId: attempt.messageId,
    at: now.toISOString(),
    command: attempt.command,
    direction: attempt.direction,
    attempt: attempt.attempt,
    error: attempt.error,
    startedAt: attempt.startedAt.toISOString(),
    finishedAt: attempt.finishedAt.toISOString(),
    // Only upstream failures carry the cloud's hint; the key stays out of every other event.
    ...(attempt.direction === 'upstream' && type === 'failed' && { retryAfterMs: attempt.retryAfterMs }),
  };
}

/** A message id fit for GTOTVSLINKLOG.IDMENSAGEM: present and free of NUL, which PostgreSQL text refuses. */
export function loggableId(messageId: string | null): string | undefined {
  return messageId !== null && !messageId.includes('\u0000') ? messageId : undefined;
}
