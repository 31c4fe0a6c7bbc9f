import { MessageLimits, type SmartLinkError } from '@smartlink/common';
import { IllegalCommandNameError, parseCommandName } from '@smartlink/contract';
import {
  outboundMessageCodec,
  type ConsumedMessage,
  type DeadLetterReason,
  type OutboundMessage,
} from '@smartlink/messaging';
import { InvalidMessageFieldError } from '../downstream/invalid-message-field-error';
import { holdsNul, isStorableInstant } from '../records/storable-values';

/** A message a segment published, as read from `<ns>.outbound`. */
export interface PublishedMessage {
  readonly record: ConsumedMessage;
  /** The record key: the id the publisher chose, which becomes `GTOTVSLINKMESSAGE.ID`. */
  readonly id: string;
  readonly message: OutboundMessage;
  /** When the segment published it (the record's timestamp), or when it was read if that is unusable. */
  readonly publishedAt: Date;
}

/** What could be read of a refused outbound record, for its dead letter. */
export interface RejectedOutbound {
  readonly record: ConsumedMessage;
  readonly reason: Extract<DeadLetterReason, 'malformed' | 'illegal-command'>;
  readonly error: SmartLinkError;
  readonly messageId: string | null;
  readonly command: string | null;
  readonly correlatedId: string | null;
  /** The payload, or the record's value as text when it could not be read. */
  readonly data: string;
}

/** A chunk of `<ns>.outbound` sorted into what the executor acts on. */
export interface OutboundChunk {
  /** Valid messages, one per id (the first of the chunk), in offset order. */
  readonly messages: readonly PublishedMessage[];
  /** Messages whose id came earlier in the same chunk. */
  readonly repeated: number;
  readonly rejected: readonly RejectedOutbound[];
}

// The cloud contract's rule for message ids, which the CloudEvents `id` of the send must meet.
const MESSAGE_ID_PATTERN = /^[\x21-\x7E]+$/;

/**
 * Sorts a chunk of the outbound topic. Never throws: a record without a usable id (the key), one that is not an
 * outbound message, names a command that may not be sent, or holds a value its row cannot store is rejected alone,
 * so it never costs the good messages beside it and never fails the chunk into endless redelivery.
 */
export function readOutboundMessages(records: readonly ConsumedMessage[], now: Date): OutboundChunk {
  const messages: PublishedMessage[] = [];
  const rejected: RejectedOutbound[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  for (const record of records) {
    const decoded = outboundMessageCodec.decode(record);
    if (!decoded.ok) {
      rejected.push(rejectUnreadable(record, decoded.error));
      continue;
    }
    const message = decoded.value;
    const problem = idProblem(record.key) ?? storageProblem(message);
    if (problem) {
      rejected.push({
        record,
        reason: 'malformed',
        error: problem,
        messageId: usableId(record.key),
        command: message.command,
        correlatedId: message.correlatedId ?? null,
        data: message.data,
      });
      continue;
    }
    const id = record.key as string;
    if (seen.has(id)) {
      repeated += 1;
      continue;
    }
    seen.add(id);
    messages.push({ record, id, message, publishedAt: publishedAt(record.timestamp, now) });
  }
  return { messages, repeated, rejected };
}

/** The record's timestamp when a date column can hold it; a producer's clock is not ours to trust blindly. */
function publishedAt(timestamp: number, now: Date): Date {
  if (!Number.isFinite(timestamp) || timestamp <= 0) return now;
  const at = new Date(timestamp);
  return isStorableInstant(at.toISOString()) ? at : now;
}

function idProblem(key: string | null): InvalidMessageFieldError | null {
  if (key === null || key.length === 0) return new InvalidMessageFieldError('id', 'the record has no key');
  if (key.length > MessageLimits.MESSAGE_ID) {
    return new InvalidMessageFieldError(
      'id',
      `${key.length} characters, at most ${MessageLimits.MESSAGE_ID} allowed`,
    );
  }
  if (!MESSAGE_ID_PATTERN.test(key)) {
    return new InvalidMessageFieldError('id', 'may hold only printable ASCII without spaces');
  }
  return null;
}

function storageProblem(message: OutboundMessage): InvalidMessageFieldError | null {
  if (holdsNul(message.data)) return new InvalidMessageFieldError('data', 'holds a NUL character');
  if (message.correlatedId !== undefined && holdsNul(message.correlatedId)) {
    return new InvalidMessageFieldError('correlatedId', 'holds a NUL character');
  }
  return null;
}

function rejectUnreadable(record: ConsumedMessage, error: SmartLinkError): RejectedOutbound {
  const raw = peek(record);
  const text = (key: string) => (typeof raw[key] === 'string' ? raw[key] : null);
  const command = text('command');
  let reason: RejectedOutbound['reason'] = 'malformed';
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
  return {
    record,
    reason,
    error: cause,
    messageId: usableId(record.key),
    command,
    correlatedId: text('correlatedId'),
    data: text('data') ?? record.value.toString('utf8'),
  };
}

/** A key fit to key a dead letter and a log row, or null. */
function usableId(key: string | null): string | null {
  return key !== null && key.length > 0 && key.length <= MessageLimits.MESSAGE_ID && !holdsNul(key)
    ? key
    : null;
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
