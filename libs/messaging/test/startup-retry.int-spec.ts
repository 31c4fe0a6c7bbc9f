import { TcpProxy, uniqueName, waitFor } from '@smartlink/testing';
import { KafkaClient, type ConsumedMessage } from '../src';
import { CLIENT_KINDS, CollectingLogger, testBrokers, testSettings } from './kafka-test-support';

// A service started together with its cluster meets Kafka not ready yet: the broker's port still closed, topics
// another service is about to create not there. Its start-up steps wait for Kafka (KAFKA_STARTUP_RETRY_MS) instead
// of failing the boot, and fail clearly once that time is up.

/** kafkajs' own retries kept short, so each start-up try fails fast and the start-up retry is what waits. */
const QUICK_TRIES = {
  KAFKA_CONNECTION_TIMEOUT_MS: '300',
  KAFKA_REQUEST_TIMEOUT_MS: '2000',
  KAFKA_RETRIES: '1',
  KAFKA_RETRY_INITIAL_MS: '50',
  KAFKA_RETRY_MAX_MS: '100',
};

const warnings = (logger: CollectingLogger) => logger.lines.filter((line) => line.includes('start-up tries'));

describe.each(CLIENT_KINDS)('start-up on %s while Kafka is not ready', (kind) => {
  describe("when the broker's port opens only after the service started", () => {
    let proxy: TcpProxy;

    beforeAll(async () => {
      const [host, port] = (testBrokers().split(',')[0] as string).split(':');
      proxy = await TcpProxy.start(host as string, Number(port));
    });

    afterAll(() => proxy.close());

    it('keeps trying to connect the producer, and connects once the broker answers', async () => {
      await proxy.cut();
      const logger = new CollectingLogger();
      const client = new KafkaClient(
        testSettings({ KAFKA_BROKERS: `127.0.0.1:${proxy.port}`, KAFKA_CLIENT: kind, ...QUICK_TRIES }),
        {
          logger,
        },
      );
      const producer = client.createProducer();

      const connecting = client.startup.run('connecting the producer', () => producer.connect());
      await waitFor(() => warnings(logger).length >= 2, { description: 'two retries', timeoutMs: 30_000 });
      await proxy.restore();

      await expect(connecting).resolves.toBeUndefined();
      expect(producer.isConnected()).toBe(true);
      expect(warnings(logger)[0]).toMatch(
        /^warn Kafka unavailable while connecting the producer: .*ECONNREFUSED.* \(KAFKA_UNAVAILABLE\); start-up tries connecting the producer again in \d+\.\d s, for at most \d+\.\d s more \(KAFKA_STARTUP_RETRY_MS\)$/,
      );
      await producer.disconnect();
    });
  });

  describe('when the topic of a consumer group is created only after the consumer started', () => {
    const logger = new CollectingLogger();
    const client = new KafkaClient(testSettings({ KAFKA_CLIENT: kind, ...QUICK_TRIES }), { logger });
    const admin = client.createAdmin();
    const producer = client.createProducer();

    afterAll(async () => {
      await client.stopConsumers();
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    });

    it('joins the group once the topic exists and consumes it', async () => {
      const topic = uniqueName('messaging_startup_late_topic');
      const received: ConsumedMessage[] = [];
      const consumer = client.createConsumer({
        groupId: uniqueName('messaging_startup_group'),
        topics: [topic],
        handler: async (messages) => {
          received.push(...messages);
        },
      });

      const starting = consumer.start();
      await waitFor(
        () => warnings(logger).some((line) => line.includes(topic) || line.includes('topic-partition')),
        {
          description: 'the consumer retrying for its missing topic',
          timeoutMs: 30_000,
        },
      );
      expect(consumer.isRunning()).toBe(false);
      await admin.ensureTopics([{ name: topic, partitions: 1 }]);

      await starting;
      await waitFor(() => consumer.isRunning(), {
        description: 'the consumer in its group',
        timeoutMs: 30_000,
      });
      await producer.send(topic, [{ key: 'm-1', value: 'late but there' }]);
      await waitFor(() => received.length === 1, { description: 'the record consumed', timeoutMs: 30_000 });
      expect(received[0]?.value?.toString()).toBe('late but there');
    });
  });

  describe('when Kafka is still not ready after KAFKA_STARTUP_RETRY_MS', () => {
    it('fails the start with KAFKA_STARTUP_TIMED_OUT, saying what it waited for', async () => {
      const logger = new CollectingLogger();
      const client = new KafkaClient(
        testSettings({ ...QUICK_TRIES, KAFKA_CLIENT: kind, KAFKA_STARTUP_RETRY_MS: '3000' }),
        {
          logger,
        },
      );
      const topic = uniqueName('messaging_startup_never');
      const consumer = client.createConsumer({
        groupId: uniqueName('messaging_startup_group'),
        topics: [topic],
        handler: async () => undefined,
      });

      const started = Date.now();
      const error = await consumer.start().catch((e: unknown) => e);

      expect(error).toMatchObject({
        code: 'KAFKA_STARTUP_TIMED_OUT',
        message: expect.stringMatching(
          /^Kafka was not ready within KAFKA_STARTUP_RETRY_MS \(3000 ms\) while starting consumer group \S+; last error KAFKA_REQUEST_FAILED: .*Check that the brokers in KAFKA_BROKERS are up/,
        ),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
      expect(warnings(logger).length).toBeGreaterThanOrEqual(1);
      expect(consumer.isRunning()).toBe(false);
    });
  });
});
