import { murmur2 } from '../producer/key-partitioner';
import { parseKafkaSettings } from '../settings/kafka-settings';
import { PlatformaticClientFactory } from './platformatic-client-factory';
import { platformaticKafka } from './platformatic-kafka';

describe('PlatformaticClientFactory', () => {
  const factory = (env: Record<string, string> = {}, tls?: { rejectUnauthorized: boolean }) =>
    new PlatformaticClientFactory(
      parseKafkaSettings({ KAFKA_CLIENT: 'platformatic', ...env }),
      tls,
      () => 0.5,
    );

  describe('baseOptions', () => {
    it('maps brokers, client id, timeouts and retries as for kafkajs', () => {
      const options = factory({
        KAFKA_BROKERS: 'kafka-0:9092,kafka-1:9092',
        KAFKA_CLIENT_ID: 'smartlink-poller',
        KAFKA_CONNECTION_TIMEOUT_MS: '1500',
        KAFKA_REQUEST_TIMEOUT_MS: '12000',
        KAFKA_RETRIES: '3',
        KAFKA_RETRY_INITIAL_MS: '50',
        KAFKA_RETRY_MAX_MS: '300',
      }).baseOptions();

      expect(options).toMatchObject({
        clientId: 'smartlink-poller',
        bootstrapBrokers: ['kafka-0:9092', 'kafka-1:9092'],
        connectTimeout: 1_500,
        requestTimeout: 12_000,
        retries: 3,
      });
      const delay = options.retryDelay as (client: unknown, op: string, attempt: number) => number;
      expect([1, 2, 3, 4, 5].map((attempt) => delay(null, 'produce', attempt))).toEqual([
        50, 100, 200, 300, 300,
      ]);
      expect(options.tls).toBeUndefined();
      expect(options.sasl).toBeUndefined();
    });

    it.each([
      ['plain', 'PLAIN'],
      ['scram-sha-256', 'SCRAM-SHA-256'],
      ['scram-sha-512', 'SCRAM-SHA-512'],
    ])('hands over the %s credentials and the TLS options', (mechanism, expected) => {
      const options = factory(
        {
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: 'executor',
          KAFKA_SASL_PASSWORD: 'hunter2-but-longer',
        },
        { rejectUnauthorized: true },
      ).baseOptions();

      expect(options.sasl).toEqual({
        mechanism: expected,
        username: 'executor',
        password: 'hunter2-but-longer',
      });
      expect(options.tls).toEqual({ rejectUnauthorized: true });
    });
  });

  describe('producerOptions', () => {
    it('is idempotent with acks=all, never creates topics, and bounds its retries', () => {
      expect(factory({ KAFKA_RETRIES: '4' }).producerOptions()).toMatchObject({
        idempotent: true,
        acks: -1,
        autocreateTopics: false,
        retries: 4,
      });
      // 1 would mean "forever" to @platformatic/kafka's idempotent producer.
      expect(factory({ KAFKA_RETRIES: '1' }).producerOptions().retries).toBe(2);
    });

    it('puts a key on the partition the Java client, kafkajs and keyPartitioner choose', () => {
      const { partitioner, serializers } = factory().producerOptions();
      for (const key of ['m-1', 'msg-42', '0b1e0a7e-1f7c-4c1e-9d0e-6f1d2b3c4d5e', 'ação']) {
        const bytes = serializers?.key?.(key);
        const raw = partitioner?.({ topic: 't', key }, bytes, { metadata: undefined }) ?? -1;
        expect(raw % 6).toBe((murmur2(key) & 0x7fffffff) % 6);
      }
    });

    it('serialises string and binary values and UTF-8 headers', () => {
      const { serializers } = factory().producerOptions();
      expect(serializers?.value?.('ação')).toEqual(Buffer.from('ação'));
      expect(serializers?.value?.(Buffer.from([0, 255]))).toEqual(Buffer.from([0, 255]));
      expect(serializers?.headerValue?.('ç')).toEqual(Buffer.from('ç'));
    });
  });

  describe('consumerOptions', () => {
    it('never commits on its own, and keeps the heartbeat well inside the session (classic protocol)', () => {
      expect(
        factory({ KAFKA_SESSION_TIMEOUT_MS: '20000' }).consumerOptions({ groupId: 'executor' }),
      ).toMatchObject({
        groupId: 'executor',
        autocommit: false,
        groupProtocol: 'classic',
        sessionTimeout: 20_000,
        heartbeatInterval: 2_000,
        maxWaitTime: 1_000,
        maxBytesPerPartition: 1_048_576,
      });
    });

    it('takes per-consumer tuning', () => {
      expect(
        factory().consumerOptions({
          groupId: 'lease',
          sessionTimeoutMs: 10_000,
          heartbeatIntervalMs: 1_000,
          maxBytesPerPartition: 4_194_304,
          maxWaitTimeMs: 500,
        }),
      ).toMatchObject({
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxBytesPerPartition: 4_194_304,
        maxWaitTime: 500,
      });
    });

    it("leaves session and heartbeat to the broker with KIP-848's protocol, and joins as a static member when told", () => {
      const options = factory({
        KAFKA_GROUP_PROTOCOL: 'consumer',
        KAFKA_GROUP_INSTANCE_ID: 'executor-0',
      }).consumerOptions({ groupId: 'executor' });

      expect(options).toMatchObject({
        groupProtocol: 'consumer',
        groupInstanceId: 'executor-0',
        autocommit: false,
      });
      expect(options).not.toHaveProperty('sessionTimeout');
      expect(options).not.toHaveProperty('heartbeatInterval');
    });

    it('builds a consumer the library accepts, for both protocols', async () => {
      for (const protocol of ['classic', 'consumer']) {
        const consumer = factory({
          KAFKA_GROUP_PROTOCOL: protocol,
          KAFKA_GROUP_INSTANCE_ID: 'x-0',
        }).createConsumer({
          groupId: 'executor',
        });
        expect(consumer).toBeInstanceOf(platformaticKafka().Consumer);
        expect(consumer.groupInstanceId).toBe('x-0');
        await consumer.close();
      }
    });
  });
});
