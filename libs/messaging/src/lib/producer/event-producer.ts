import type { Message, Producer } from 'kafkajs';
import { toKafkaError } from '../errors/to-kafka-error';
import type { EventRecord, TopicRecords } from './event-record';

/** The part of a kafkajs producer this wrapper uses; narrow so unit tests can pass a typed double. */
export type ProducerPort = Pick<Producer, 'connect' | 'disconnect' | 'sendBatch'>;

// acks=all: the broker answers only once every in-sync replica has the records. Together with the idempotent
// producer this is what lets the poller ack the cloud right after a send resolves.
const ACKS_ALL = -1;

/**
 * Produces our records durably (idempotent producer, acks=all). A send resolves only when Kafka has the records;
 * it rejects with a `SmartLinkError`: `KAFKA_UNAVAILABLE` (retriable) when the cluster cannot be reached in time,
 * `KAFKA_REQUEST_FAILED` when the broker refuses the records. Get one from `KafkaClient.createProducer()` or
 * inject it from `KafkaModule`.
 */
export class EventProducer {
  private connection: Promise<void> | null = null;
  private connected = false;

  /** @internal Use `KafkaClient.createProducer()`. */
  constructor(private readonly producer: ProducerPort) {}

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
    try {
      await this.producer.sendBatch({ acks: ACKS_ALL, topicMessages });
    } catch (error) {
      throw toKafkaError(error, `sending to ${topicMessages.map((t) => t.topic).join(', ')}`);
    }
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
}

function toMessage(record: EventRecord): Message {
  return {
    key: record.key,
    value: record.value,
    ...(record.headers && { headers: { ...record.headers } }),
  };
}
