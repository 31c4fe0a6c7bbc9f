import { MessageLimits, type SmartLinkError } from '@smartlink/common';
import { IllegalCommandNameError, parseCommandName } from '@smartlink/contract';
import {
  SmartLinkHeaders,
  lifecycleEventCodec,
  type ConsumedMessage,
  type DeadLetterReason,
  type ReceivedEvent,
} from '@smartlink/messaging';
import { InvalidMessageFieldError } from './invalid-message-field-error';
import { holdsNul, isStorableInstant } from '../records/storable-values';

/** The schema header `lifecycleEventRecord` puts on a `received` event; other event types are not the executor's. */
const RECEIVED_EVENT_SCHEMA = 'event/received/v1';

/** What could be read of a refused message, for its dead letter. */
export interface RejectedMessage {
  readonly messageId: string | null;
  readonly command: string | null;
  readonly tenantId: string | null;
  readonly correlatedId: string | null;
  /** The payload, or the record's value as text when the event could not be read. */
  readonly data: string;
}

/** A `received` event that must not reach the tables or a topic name; it is dead-lettered and logged. */
export interface RejectedEvent {
  readonly record: ConsumedMessage;
  readonly reason: Extract<DeadLetterReason, 'malformed' | 'illegal-command'>;
  readonly error: SmartLinkError;
  readonly message: RejectedMessage;
}

/** A chunk of `<ns>.received` or `<ns>.events` sorted into what the executor acts on. */
export interface ReceivedEvents {
  /** Valid `received` events, one per message id (the first of the chunk), in offset order. */
  readonly received: readonly ReceivedEvent[];
  /** `received` events whose message id came earlier in the same chunk. */
  readonly repeated: number;
  /** Events of other types (failed, retry-scheduled...), left to whoever consumes them. */
  readonly ignored: number;
  readonly rejected: readonly RejectedEvent[];
}

/**
 * Sorts a chunk of received events or of the event log. Never throws: an unreadable `received` event, one whose
 * command may not become a topic name, or one with a field its row cannot hold is rejected alone, so it never costs
 * the good messages beside it and never fails the chunk into endless redelivery.
 */
export function readReceivedEvents(records: readonly ConsumedMessage[]): ReceivedEvents {
  const received: ReceivedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  let ignored = 0;
  for (const record of records) {
    const schema = record.headers[SmartLinkHeaders.schema];
    if (schema !== undefined && schema !== RECEIVED_EVENT_SCHEMA) {
      ignored += 1;
      continue;
    }
    const decoded = lifecycleEventCodec.decode(record);
    if (!decoded.ok) {
      const raw = peek(record);
      // A broken event of another type is not ours to judge; its own consumer reports it.
      if (typeof raw['type'] === 'string' && raw['type'] !== 'received') ignored += 1;
      else rejected.push(rejectUnreadable(record, raw, decoded.error));
      continue;
    }
    const event = decoded.value;
    if (event.type !== 'received') {
      ignored += 1;
      continue;
    }
    const problem = storageProblem(event);
    if (problem) {
      rejected.push({ record, reason: 'malformed', error: problem, message: messageOf(event) });
      continue;
    }
    if (seen.has(event.messageId)) {
      repeated += 1;
      continue;
    }
    seen.add(event.messageId);
    received.push(event);
  }
  return { received, repeated, ignored, rejected };
}

/** Why the event's message cannot be stored as a row, if it cannot. */
function storageProblem(event: ReceivedEvent): InvalidMessageFieldError | null {
  const texts: [string, string | null, number | null][] = [
    ['messageId', event.messageId, null],
    ['tenantId', event.tenantId, MessageLimits.TENANT_ID],
    ['correlatedId', event.correlatedId, MessageLimits.CORRELATED_ID],
    ['data', event.data, null],
  ];
  for (const [field, value, limit] of texts) {
    if (value === null) continue;
    if (limit !== null && value.length > limit) {
      return new InvalidMessageFieldError(field, `${value.length} characters, at most ${limit} allowed`);
    }
    if (holdsNul(value)) return new InvalidMessageFieldError(field, 'holds a NUL character');
  }
  if (!isStorableInstant(event.at)) return new InvalidMessageFieldError('at', 'outside the years 1 to 9999');
  return null;
}

function rejectUnreadable(
  record: ConsumedMessage,
  raw: Record<string, unknown>,
  error: SmartLinkError,
): RejectedEvent {
  const text = (key: string) => (typeof raw[key] === 'string' ? raw[key] : null);
  const command = text('command');
  let reason: RejectedEvent['reason'] = 'malformed';
  let cause = error;
  if (command !== null) {
    try {
      parseCommandName(command);
    } catch (illegal) {
      if (!(illegal instanceof IllegalCommandNameError)) throw illegal;
      reason = 'illegal-command';
      cause = illegal;
    }
  }
  const messageId = text('messageId');
  return {
    record,
    reason,
    error: cause,
    message: {
      // Only an id that could key a record and a row; anything else would make the dead letter itself invalid.
      messageId:
        messageId !== null && messageId.length > 0 && messageId.length <= MessageLimits.MESSAGE_ID
          ? messageId
          : null,
      command,
      tenantId: text('tenantId'),
      correlatedId: text('correlatedId'),
      data: text('data') ?? record.value.toString('utf8'),
    },
  };
}

function messageOf(event: ReceivedEvent): RejectedMessage {
  return {
    messageId: event.messageId,
    command: event.command,
    tenantId: event.tenantId,
    correlatedId: event.correlatedId,
    data: event.data,
  };
}

/** The record's value as a JSON object, or an empty one when it is not one. */
function peek(record: ConsumedMessage): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(record.value.toString('utf8'));
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
