import type { Message } from '@platformatic/kafka';
import type { IHeaders, KafkaMessage } from 'kafkajs';

/** One record as a {@link BatchHandler} sees it; no client library's type leaks out of this lib. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit, so they travel as decimal strings. */
  readonly offset: string;
  /** UTF-8 key; `null` when the producer sent none. Our producers always key by message id. */
  readonly key: string | null;
  /** The raw value; empty for a null (tombstone) value, which none of our topics use. */
  readonly value: Buffer;
  /** UTF-8 headers. When a header name repeats, the last value wins. */
  readonly headers: Readonly<Record<string, string>>;
  /** Record timestamp, milliseconds since the epoch. */
  readonly timestamp: number;
}

const EMPTY = Buffer.alloc(0);

function headerValue(value: IHeaders[string]): string | undefined {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
}

/** Converts a kafkajs record into our own message type. */
export function toConsumedMessage(topic: string, partition: number, message: KafkaMessage): ConsumedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerValue(value);
    if (text !== undefined) headers[name] = text;
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null || message.key === undefined ? null : message.key.toString('utf8'),
    value: message.value ?? EMPTY,
    headers,
    timestamp: Number(message.timestamp),
  };
}

/** A @platformatic/kafka record as its consumer reads it: everything left as the bytes on the wire. */
export type PlatformaticMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** Converts a @platformatic/kafka record into our own message type, as {@link toConsumedMessage} does for kafkajs. */
export function platformaticToConsumedMessage(message: PlatformaticMessage): ConsumedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headerEntries ?? message.headers) {
    // A header without a value (null on the wire) is left out, as kafkajs' conversion does.
    if (value !== undefined && value !== null) headers[name.toString('utf8')] = value.toString('utf8');
  }
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset.toString(),
    key: message.key === null || message.key === undefined ? null : message.key.toString('utf8'),
    value: message.value ?? EMPTY,
    headers,
    timestamp: Number(message.timestamp),
  };
}
