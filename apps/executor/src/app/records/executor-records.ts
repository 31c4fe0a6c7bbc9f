import {
  deadLetterRecord,
  lifecycleEventRecord,
  logRecordRecord,
  type AttemptFinishedEvent,
  type EventRecord,
} from '@smartlink/messaging';
import type { RejectedEvent } from '../downstream/read-received-events';
import type { RejectedOutbound } from '../upstream/read-outbound-messages';

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
 * The lifecycle event and the log of a recorded attempt: info when it succeeded, error when it failed (a retry
 * follows) or was fatal (the message is dead). Downstream attempts were executed by a segment, upstream ones sent to
 * the cloud.
 */
export function attemptFinishedRecords(event: AttemptFinishedEvent): {
  event: EventRecord;
  log: EventRecord;
} {
  const what = `attempt ${event.attempt} of message ${event.messageId} (${event.command})`;
  const did = event.direction === 'upstream' ? `Sent ${what} to the cloud` : `Executed ${what}`;
  const message =
    event.type === 'succeeded'
      ? `${did}: succeeded`
      : event.type === 'failed'
        ? `${did}: failed, a retry follows: ${event.error ?? ''}`
        : `${did}: failed fatally, the message is dead: ${event.error ?? ''}`;
  return {
    event: lifecycleEventRecord(event),
    log: logRecordRecord({
      messageId: event.messageId,
      type: event.type === 'succeeded' ? INFO : ERROR,
      message,
      date: event.at,
      source: EXECUTOR_SOURCE,
    }),
  };
}

/** A message id fit for GTOTVSLINKLOG.IDMENSAGEM: present and free of NUL, which PostgreSQL text refuses. */
export function loggableId(messageId: string | null): string | undefined {
  return messageId !== null && !messageId.includes('\u0000') ? messageId : undefined;
}
