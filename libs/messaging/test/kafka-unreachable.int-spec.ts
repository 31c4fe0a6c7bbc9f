import net from 'node:net';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaClient, KafkaHealthIndicator, parseKafkaSettings } from '../src';
import { CLIENT_KINDS, closedPort, CollectingLogger } from './kafka-test-support';

// Producing to a cluster that is not there must fail with our retriable error, fast, instead of hanging; a
// poller then keeps the message un-acked and tries again on its next tick.

const QUICK_FAILURE = {
  KAFKA_CONNECTION_TIMEOUT_MS: '300',
  KAFKA_REQUEST_TIMEOUT_MS: '1000',
  KAFKA_RETRIES: '1',
  KAFKA_RETRY_INITIAL_MS: '50',
  KAFKA_RETRY_MAX_MS: '100',
};

describe.each(CLIENT_KINDS)('when Kafka cannot be reached, a producer on %s', (kind) => {
  it('fails a send to a closed port with a retriable KAFKA_UNAVAILABLE', async () => {
    const port = await closedPort();
    const client = new KafkaClient(
      parseKafkaSettings({ KAFKA_BROKERS: `localhost:${port}`, KAFKA_CLIENT: kind, ...QUICK_FAILURE }),
      {
        logger: new CollectingLogger(),
      },
    );
    const producer = client.createProducer();

    await expect(producer.send('smartlink.logs', [{ key: 'm-1', value: '{}' }])).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      retriable: true,
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(producer.isConnected()).toBe(false);
    await producer.disconnect();
  });

  describe('when a broker accepts connections but never answers', () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });

    beforeAll(() => new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve)));
    afterAll(async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    });

    it('times the request out and fails with KAFKA_UNAVAILABLE', async () => {
      const { port } = silent.address() as net.AddressInfo;
      const client = new KafkaClient(
        parseKafkaSettings({ KAFKA_BROKERS: `127.0.0.1:${port}`, KAFKA_CLIENT: kind, ...QUICK_FAILURE }),
        {
          logger: new CollectingLogger(),
        },
      );
      const producer = client.createProducer();

      // kafkajs' plain (not idempotent) producer asks the broker nothing on connect, so the first send is what times
      // out; @platformatic/kafka's idempotent one asks for a producer id on connect, which times out.
      await expect(
        (async () => {
          await producer.connect();
          await producer.send('smartlink.events', [{ key: 'k', value: 'v' }]);
        })(),
      ).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
      await producer.disconnect();
    });
  });
});

describe('when Kafka cannot be reached, the health check', () => {
  it('reports the cluster down with our error code, and no credentials', async () => {
    const port = await closedPort();
    const settings = parseKafkaSettings({
      KAFKA_BROKERS: `localhost:${port}`,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'executor',
      KAFKA_SASL_PASSWORD: 'hunter2-but-longer',
      ...QUICK_FAILURE,
    });
    const admin = new KafkaClient(settings, { logger: new CollectingLogger() }).createAdmin();
    const health = new KafkaHealthIndicator(new HealthIndicatorService(), admin);

    const result = await health.isHealthy('kafka', 2_000);
    await admin.disconnect();

    expect(result).toEqual({
      kafka: { status: 'down', code: 'KAFKA_UNAVAILABLE', message: expect.any(String) },
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});
