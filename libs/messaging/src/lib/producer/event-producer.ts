import { toKafkaError } from '../errors/to-kafka-error';
import type { EventRecord, TopicRecords } from './event-record';

/** One record of a request, as {@link EventProducer} hands it to the client (kafkajs' `Message` shape). */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** The records of one topic in a request (kafkajs' `TopicMessages` shape). */
export interface OutgoingTopicMessages {
  readonly topic: string;
  readonly messages: OutgoingMessage[];
}

/** One produce request: every record in it is acknowledged, or the request fails. */
export interface ProducerRequest {
  readonly acks: number;
  readonly topicMessages: OutgoingTopicMessages[];
}

/**
 * What this wrapper needs of a client's producer, narrow so unit tests can pass a typed double. A kafkajs `Producer`
 * is one as it is; `PlatformaticProducerPort` adapts @platformatic/kafka's.
 */
export interface ProducerPort {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(request: ProducerRequest): Promise<unknown>;
}

// acks=all: the broker answers only once every in-sync replica has the records (at least min.insync.replicas of
// them). Together with the whole-request retry below this is what lets the poller ack the cloud right after a send
// resolves.
const ACKS_ALL = -1;

/**
 * The most bytes (keys, values, headers) one request may carry when it merges sends. Kafka refuses a partition's
 * record batch above `message.max.bytes` (1 MB by default), and both clients put everything one request holds for a
 * partition into one batch; a send larger than this on its own still goes, alone, as it was given.
 */
export const MAX_MERGED_BYTES = 900_000;

/**
 * How a whole request is retried by `EventProducer` itself, on top of what the client retries. Who retries what:
 *
 * - kafkajs (KAFKA_CLIENT=kafkajs): the client retries nothing (see `KafkaClientFactory.producerConfig`): kafkajs
 *   2.2.4 retries only the brokers that had not answered, so a partition whose leader moved to a broker that already
 *   answered is never sent and the send still resolves (kafkajs#1303, pull request #1798) — the reliability case
 *   `cluster` lost messages the poller had acked that way. Here the whole request is sent again, up to
 *   KAFKA_RETRIES times: every record, at least once, never lost; repeats are absorbed downstream by their
 *   message-id keys.
 * - @platformatic/kafka (KAFKA_CLIENT=platformatic): the idempotent client retries each broker's part of a request
 *   itself, KAFKA_RETRIES times with backoff, with the same producer id and sequence numbers, so the broker drops a
 *   batch it already wrote and keeps the partition in order: no repeats. When it gives up it fails the whole send
 *   and forgets its producer id. Here the request is then sent once more ({@link PLATFORMATIC_PRODUCER_RETRIES}):
 *   with fresh metadata and a fresh producer id, every record again. That covers what the client's per-broker retry
 *   cannot: partitions it grouped under one leader that are now led by different brokers (it resends the group to the
 *   first partition's leader). That one resend may repeat records the broker had already written, as above.
 */
export interface ProducerRetry {
  readonly retries: number;
  readonly initialRetryTimeMs: number;
  readonly maxRetryTimeMs: number;
}

/** Whole-request resends on @platformatic/kafka, after the client's own retries gave up (see {@link ProducerRetry}). */
export const PLATFORMATIC_PRODUCER_RETRIES = 1;

/** kafkajs' defaults, for a producer built without settings (unit tests). */
export const DEFAULT_PRODUCER_RETRY: ProducerRetry = {
  retries: 5,
  initialRetryTimeMs: 300,
  maxRetryTimeMs: 30_000,
};

/** A send waiting for its turn. */
interface PendingSend {
  readonly topicMessages: OutgoingTopicMessages[];
  readonly bytes: number;
  /** Retried on its own after a merged request was refused, so one bad send cannot fail the others again. */
  readonly alone: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Produces our records durably (acks=all, every record of a request retried until it is all acknowledged, see
 * {@link ProducerRetry}), on kafkajs or on @platformatic/kafka's idempotent producer. A send resolves only when Kafka
 * has the records;
 * it rejects with a `SmartLinkError`: `KAFKA_UNAVAILABLE` (retriable) when the cluster cannot be reached in time,
 * `KAFKA_REQUEST_FAILED` when the broker refuses the records. Get one from `KafkaClient.createProducer()` or
 * inject it from `KafkaModule`.
 *
 * One request is in flight at a time, and the sends that arrive meanwhile go out together in the next one, each
 * resolving when that request is acknowledged. Both clients keep one request in flight per broker anyway (kafkajs is
 * set so, which keeps each partition's records in order across retries; @platformatic/kafka's idempotent producer
 * enforces it), so concurrent sends (the consumers' chunks, partitions in parallel) used to queue for it one request
 * each; merged, they share one round trip. Records keep the order of their sends. When the broker refuses
 * a merged request, each send is tried again on its own, so only the send at fault fails.
 */
export class EventProducer {
  private connection: Promise<void> | null = null;
  private connected = false;
  private readonly queue: PendingSend[] = [];
  private sending = false;

  /** Requests sent again whole after a retriable error (see {@link ProducerRetry}). */
  retried = 0;

  /** @internal Use `KafkaClient.createProducer()`. */
  constructor(
    private readonly producer: ProducerPort,
    private readonly maxMergedBytes: number = MAX_MERGED_BYTES,
    private readonly retry: ProducerRetry = DEFAULT_PRODUCER_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Connects (once; concurrent calls share the attempt). Sends connect on their own when needed. */
  connect(): Promise<void> {
    this.connection ??= this.producer.connect().then(
      () => {
        this.connected = true;
      },
      (error: unknown) => {
        this.connection = null;
        throw toKafkaError(error, 'connecting the producer');
      },
    );
    return this.connection;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Sends records to one topic and resolves when all of them are durable (acks=all). */
  send(topic: string, records: readonly EventRecord[]): Promise<void> {
    return this.sendBatch([{ topic, records }]);
  }

  /** Sends records to several topics in one request per broker; resolves when all of them are durable. */
  async sendBatch(batches: readonly TopicRecords[]): Promise<void> {
    const topicMessages = batches
      .filter((batch) => batch.records.length > 0)
      .map((batch) => ({ topic: batch.topic, messages: batch.records.map(toMessage) }));
    if (topicMessages.length === 0) return;
    await this.connect();
    const bytes = batches.reduce(
      (sum, batch) => sum + batch.records.reduce((s, r) => s + recordBytes(r), 0),
      0,
    );
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ topicMessages, bytes, alone: false, resolve, reject });
      this.next();
    });
  }

  /** Disconnects; call it once the last send has resolved. A later send connects again. */
  async disconnect(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = null;
    this.connected = false;
    await connection.catch(() => undefined);
    try {
      await this.producer.disconnect();
    } catch (error) {
      throw toKafkaError(error, 'disconnecting the producer');
    }
  }

  /** Starts the next request, with every waiting send that fits, unless one is in flight. */
  private next(): void {
    if (this.sending) return;
    const first = this.queue.shift();
    if (!first) return;
    const group = [first];
    let bytes = first.bytes;
    while (!first.alone) {
      const candidate = this.queue[0];
      if (!candidate || candidate.alone || bytes + candidate.bytes > this.maxMergedBytes) break;
      group.push(candidate);
      bytes += candidate.bytes;
      this.queue.shift();
    }
    this.sending = true;
    void this.sendWhole(merge(group))
      .then(
        () => group.forEach((send) => send.resolve()),
        (error: unknown) => this.failed(group, error),
      )
      .finally(() => {
        this.sending = false;
        this.next();
      });
  }

  /**
   * One request, sent again whole (every record, to the leaders the client knows after its metadata refresh) after a
   * retriable error, with exponential backoff and jitter, up to `retries` times.
   */
  private async sendWhole(topicMessages: OutgoingTopicMessages[]): Promise<void> {
    let delay = this.retry.initialRetryTimeMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.connect();
        await this.producer.sendBatch({ acks: ACKS_ALL, topicMessages });
        return;
      } catch (error) {
        if (attempt >= this.retry.retries || !toKafkaError(error, 'sending').retriable) throw error;
        this.retried += 1;
        await this.sleep(Math.round(delay * (0.8 + Math.random() * 0.4)));
        delay = Math.min(delay * 2, this.retry.maxRetryTimeMs);
      }
    }
  }

  private failed(group: readonly PendingSend[], error: unknown): void {
    const unavailable = toKafkaError(error, 'sending').code === 'KAFKA_UNAVAILABLE';
    if (group.length > 1 && !unavailable) {
      // The broker refused something in the merged request: find the send at fault by trying each on its own,
      // ahead of the sends that came later.
      this.queue.unshift(...group.map((send) => ({ ...send, alone: true })));
      return;
    }
    for (const send of group) {
      send.reject(toKafkaError(error, `sending to ${send.topicMessages.map((t) => t.topic).join(', ')}`));
    }
  }
}

/** The sends' records as one request: per topic, in the order the sends came. */
function merge(group: readonly PendingSend[]): OutgoingTopicMessages[] {
  if (group.length === 1) return (group[0] as PendingSend).topicMessages;
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const send of group) {
    for (const { topic, messages } of send.topicMessages) {
      const list = byTopic.get(topic);
      if (list) list.push(...messages);
      else byTopic.set(topic, [...messages]);
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function recordBytes(record: EventRecord): number {
  let bytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    bytes += name.length + Buffer.byteLength(value);
  }
  return bytes;
}

function toMessage(record: EventRecord): OutgoingMessage {
  return {
    key: record.key,
    value: record.value,
    ...(record.headers && { headers: { ...record.headers } }),
  };
}
