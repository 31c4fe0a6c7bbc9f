// A raw-client measurement of the benchmark: @platformatic/kafka used directly, without libs/messaging (see
// raw-client.ts).
import * as platformaticKafka from '@platformatic/kafka';
import {
  failure,
  RAW_CLIENT_RETRIES,
  RAW_FETCH_MAX_BYTES,
  RAW_FETCH_MAX_BYTES_PER_PARTITION,
  RAW_MAX_WAIT_MS,
  type RawKafkaClient,
} from './raw-client';

/** The parts of the package the measurements use; 1.x and 2.x have them alike. */
export type PlatformaticKafka = Pick<
  typeof platformaticKafka,
  'Producer' | 'Consumer' | 'MessagesStreamModes' | 'ProduceAcks'
>;

/** The installed @platformatic/kafka (2.x), the one the workspace's other users have. */
export const platformaticKafka2: PlatformaticKafka = platformaticKafka;

/**
 * @platformatic/kafka as the measurements use it: `kafka` is the module of one of its installed majors (index.ts),
 * `version` that install's version.
 */
export function platformaticClient(
  kafka: PlatformaticKafka,
  brokers: readonly string[],
  version: string,
): RawKafkaClient {
  const clientId = `smartlink-bench-platformatic-${version}`;
  return {
    name: '@platformatic/kafka',
    version,
    consumeMode: "a MessagesStream, the handler called for each record ('data' events)",
    producer(inFlight) {
      // Its idempotent producer sets maxInflights to 1 whatever is asked (in the constructor, in 1.x and 2.x alike);
      // concurrent sends are then queued on the connection, each with the sequence numbers it took when it started.
      const producer = new kafka.Producer({
        clientId,
        bootstrapBrokers: [...brokers],
        idempotent: true,
        acks: kafka.ProduceAcks.ALL,
        maxInflights: inFlight,
        retries: RAW_CLIENT_RETRIES,
      });
      return {
        prepare(topic, records) {
          const messages = records.map((r) => ({
            topic,
            key: r.key,
            value: r.value,
            partition: r.partition,
          }));
          return async () => {
            await producer.send({ messages });
          };
        },
        close: () => producer.close(true),
      };
    },
    async consume(topic, groupId, handlers) {
      const consumer = new kafka.Consumer({
        clientId,
        bootstrapBrokers: [...brokers],
        groupId,
        groupProtocol: 'classic',
        autocommit: false,
        maxWaitTime: RAW_MAX_WAIT_MS,
        maxBytes: RAW_FETCH_MAX_BYTES,
        maxBytesPerPartition: RAW_FETCH_MAX_BYTES_PER_PARTITION,
        retries: RAW_CLIENT_RETRIES,
      });
      const { failed, fail } = failure();
      consumer.on('consumer:group:join', () => handlers.onJoined());
      try {
        const stream = await consumer.consume({
          topics: [topic],
          mode: kafka.MessagesStreamModes.EARLIEST,
          autocommit: false,
        });
        stream.on('error', fail);
        stream.on('data', (message) => handlers.onRecord(message.partition, message.key, message.value));
        return {
          failed,
          stop: async () => {
            await stream.close();
            await consumer.close(true);
          },
        };
      } catch (error) {
        await consumer.close(true).catch(() => undefined);
        throw error;
      }
    },
  };
}
