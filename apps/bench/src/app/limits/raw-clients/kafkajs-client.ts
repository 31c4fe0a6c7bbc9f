// A raw-client measurement of the benchmark: kafkajs used directly, without libs/messaging (see raw-client.ts).
import { Kafka, logLevel } from 'kafkajs';
import {
  failure,
  RAW_CLIENT_RETRIES,
  RAW_FETCH_MAX_BYTES,
  RAW_FETCH_MAX_BYTES_PER_PARTITION,
  RAW_MAX_WAIT_MS,
  type RawKafkaClient,
} from './raw-client';

const ACKS_ALL = -1;

/** kafkajs as the measurements use it; `version` is the installed package's. */
export function kafkajsClient(brokers: readonly string[], version: string): RawKafkaClient {
  // Its logs off: the bounded retries of the idempotent producer and the partitioner notice warn on purpose.
  const kafka = new Kafka({
    clientId: 'smartlink-bench-kafkajs',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  return {
    name: 'kafkajs',
    version,
    consumeMode: 'eachBatch, the handler called for each record of the batch (as libs/messaging consumes)',
    producer(inFlight) {
      // kafkajs takes maxInFlightRequests as asked, but its idempotent producer holds a lock per broker for each
      // request's round trip, so concurrent sends still go one request at a time.
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: inFlight,
        allowAutoTopicCreation: false,
        retry: { retries: RAW_CLIENT_RETRIES },
      });
      let connected: Promise<void> | null = null;
      return {
        prepare(topic, records) {
          const messages = records.map((r) => ({ key: r.key, value: r.value, partition: r.partition }));
          return async () => {
            connected ??= producer.connect();
            await connected;
            await producer.send({ topic, acks: ACKS_ALL, messages });
          };
        },
        close: () => producer.disconnect(),
      };
    },
    async consume(topic, groupId, handlers) {
      const consumer = kafka.consumer({
        groupId,
        maxWaitTimeInMs: RAW_MAX_WAIT_MS,
        maxBytes: RAW_FETCH_MAX_BYTES,
        maxBytesPerPartition: RAW_FETCH_MAX_BYTES_PER_PARTITION,
        allowAutoTopicCreation: false,
        retry: { retries: RAW_CLIENT_RETRIES },
      });
      const { failed, fail } = failure();
      consumer.on(consumer.events.GROUP_JOIN, () => handlers.onJoined());
      consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages)
            handlers.onRecord(batch.partition, message.key, message.value);
        },
      });
      return { failed, stop: () => consumer.disconnect() };
    },
  };
}
