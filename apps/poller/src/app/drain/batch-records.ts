import { MAX_MESSAGE_ID_LENGTH, type CloudMessage, type ReceivedMessage } from '@smartlink/contract';
import {
  deadLetterRecord,
  lifecycleEventRecord,
  logRecordRecord,
  type DeadLetter,
  type DeadLetterReason,
  type EventRecord,
  type TopicRecords,
} from '@smartlink/messaging';
import { recordSize } from './record-size';
import { refusalReason } from './refusal-reason';

/** The `source` of everything the poller writes. */
export const POLLER_SOURCE = 'poller';

/** A delivery that will not be executed: it goes to the dead-letter topic with an error log, and is acked. */
export interface Refusal {
  /** The Kafka key of the dead letter: the message id, or the receipt when there is no usable id. */
  readonly key: string;
  readonly receipt: string;
  readonly reason: DeadLetterReason;
  readonly errorCode: string;
  readonly error: string;
}

/** What one fetched batch becomes on Kafka. */
export interface BatchRecords {
  /** Records per topic, empty topics left out: what one send appends. */
  readonly topicRecords: TopicRecords[];
  /** Every receipt of the batch, accepted and refused: all of them are acked once the records are durable. */
  readonly receipts: string[];
  /** How many `received` events (valid messages). */
  readonly received: number;
  readonly refusals: Refusal[];
}

/** Where the records go, when they happened, and how large one may be. */
export interface BatchRecordsContext {
  readonly topics: { readonly received: string; readonly deadletter: string; readonly logs: string };
  /** ISO-8601 instant stamped on the events, dead letters and logs of the batch. */
  readonly at: string;
  readonly maxRecordBytes: number;
}

/**
 * Turns a fetched batch into records: a `received` event (key = message id) per valid message, and for each
 * refused one a dead letter with the raw body plus an error log. Each delivery is judged on its own, so a bad one
 * never holds up the others; a valid message whose event Kafka could not take (too large, an id longer than the
 * event log allows) is dead-lettered too rather than blocking its batch on every redelivery.
 */
export function batchRecords(
  deliveries: readonly ReceivedMessage[],
  context: BatchRecordsContext,
): BatchRecords {
  const events: EventRecord[] = [];
  const deadLetters: EventRecord[] = [];
  const logs: EventRecord[] = [];
  const refusals: Refusal[] = [];
  const refuse = (letter: DeadLetter, receipt: string) => {
    const record = fitDeadLetter(letter, receipt, context.maxRecordBytes);
    const refusal: Refusal = {
      key: record.key,
      receipt,
      reason: letter.reason,
      errorCode: letter.errorCode ?? 'UNKNOWN',
      error: letter.lastError,
    };
    deadLetters.push(record);
    logs.push(refusalLog(refusal, letter.messageId, context));
    refusals.push(refusal);
  };

  for (const delivery of deliveries) {
    if (!delivery.ok) {
      const { reason, errorCode } = refusalReason(delivery);
      const messageId = usableId(delivery.messageId);
      refuse(
        {
          ...emptyLetter(context.at),
          messageId,
          data: delivery.raw,
          reason,
          errorCode,
          lastError: delivery.error.message,
        },
        delivery.receipt,
      );
      continue;
    }
    const { message } = delivery;
    try {
      const record = receivedRecord(message, context.at);
      if (recordSize(record) > context.maxRecordBytes) {
        refuse(
          {
            ...messageLetter(message, context.at),
            reason: 'oversize',
            errorCode: 'EVENT_TOO_LARGE',
            lastError: `The received event of ${recordSize(record)} bytes exceeds the ${context.maxRecordBytes}-byte Kafka record limit`,
          },
          message.receipt,
        );
      } else {
        events.push(record);
      }
    } catch (error) {
      const { code = 'MALFORMED_EVENT', message: text = String(error) } = error as {
        code?: string;
        message?: string;
      };
      refuse(
        { ...messageLetter(message, context.at), reason: 'malformed', errorCode: code, lastError: text },
        message.receipt,
      );
    }
  }

  const topicRecords = [
    { topic: context.topics.received, records: events },
    { topic: context.topics.deadletter, records: deadLetters },
    { topic: context.topics.logs, records: logs },
  ].filter((batch) => batch.records.length > 0);
  return {
    topicRecords,
    receipts: deliveries.map((delivery) => (delivery.ok ? delivery.message.receipt : delivery.receipt)),
    received: events.length,
    refusals,
  };
}

function receivedRecord(message: CloudMessage, at: string): EventRecord {
  return lifecycleEventRecord({
    type: 'received',
    messageId: message.id,
    at,
    command: message.command,
    tenantId: message.tenantId,
    correlatedId: message.correlatedId,
    data: message.data,
    source: message.source,
    occurredAt: message.occurredAt,
    enqueuedAt: message.enqueuedAt,
    envelope: message.envelope,
  });
}

function emptyLetter(at: string): Omit<DeadLetter, 'reason' | 'errorCode' | 'lastError' | 'data'> {
  return {
    messageId: null,
    command: null,
    tenantId: null,
    correlatedId: null,
    direction: 'downstream',
    attempts: 0,
    deadAt: at,
    source: POLLER_SOURCE,
  };
}

function messageLetter(
  message: CloudMessage,
  at: string,
): Omit<DeadLetter, 'reason' | 'errorCode' | 'lastError'> {
  return {
    ...emptyLetter(at),
    messageId: usableId(message.id),
    command: message.command,
    tenantId: message.tenantId,
    correlatedId: message.correlatedId,
    data: message.data,
  };
}

/** The id as a key of our topics and tables, or null when it cannot be one (the receipt keys the letter then). */
function usableId(id: string | null): string | null {
  return id !== null && id.length >= 1 && id.length <= MAX_MESSAGE_ID_LENGTH ? id : null;
}

/**
 * The dead letter's record, its data cut when the whole would exceed the record limit: an oversize body must
 * still reach the dead-letter topic, as much of it as Kafka takes, with the cut said in `lastError`.
 */
function fitDeadLetter(letter: DeadLetter, receipt: string, maxBytes: number): EventRecord {
  let record = deadLetterRecord(letter, receipt);
  const fullBytes = Buffer.byteLength(letter.data);
  let data = letter.data;
  for (let attempt = 0; recordSize(record) > maxBytes && attempt < 10; attempt += 1) {
    // JSON escaping can grow text up to six times, so shrink by the measured ratio until it fits.
    const excess = recordSize(record) - maxBytes;
    const encodedData = Buffer.byteLength(JSON.stringify(data));
    const keep = Math.max(0, Math.floor(data.length * (1 - (excess + 1_024) / encodedData)));
    data = data.slice(0, keep);
    record = deadLetterRecord(
      {
        ...letter,
        data,
        lastError: `${letter.lastError} (data cut to ${Buffer.byteLength(data)} of ${fullBytes} bytes to fit the Kafka record limit)`,
      },
      receipt,
    );
  }
  return record;
}

function refusalLog(refusal: Refusal, messageId: string | null, context: BatchRecordsContext): EventRecord {
  return logRecordRecord({
    ...(messageId === null ? {} : { messageId }),
    type: 2,
    message:
      `Refused a message from the cloud queue (${refusal.reason}, ${refusal.errorCode}): ${refusal.error}. ` +
      `It is dead-lettered to ${context.topics.deadletter} under key ${refusal.key} and acked.`,
    debug: `receipt ${refusal.receipt}`,
    date: context.at,
    source: POLLER_SOURCE,
  });
}
