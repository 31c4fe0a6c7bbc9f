import { uniqueName, waitFor } from '@smartlink/testing';
import { KafkaClient, type EventRecord } from '../src';
import { CollectingLogger, committedOffsets, testSettings } from './kafka-test-support';

// Lag as the poller reads it for backpressure: produced records the group has not committed yet.

describe('ConsumerGroupLag', () => {
  const client = new KafkaClient(testSettings(), { logger: new CollectingLogger() });
  const producer = client.createProducer();
  const admin = client.createAdmin();
  const lag = client.createGroupLag();
  const topic = uniqueName('lag_topic');
  const groupId = uniqueName('lag_group');
  const records = (from: number, count: number): EventRecord[] =>
    Array.from({ length: count }, (_, i) => ({ key: `m-${from + i}`, value: '{}' }));

  beforeAll(async () => {
    await admin.ensureTopics([{ name: topic, partitions: 3 }]);
  });

  afterAll(async () => {
    await client.stopConsumers();
    await producer.disconnect();
    await admin.disconnect();
    await lag.disconnect();
  });

  it('counts every record for a group that never consumed the topic', async () => {
    await producer.send(topic, records(0, 25));

    const result = await lag.read(groupId, topic);

    expect(result.total).toBe(25);
    expect(result.partitions).toHaveLength(3);
    expect(result.partitions.every((p) => p.committed === null)).toBe(true);
  });

  it('drops to zero once the group has consumed and committed, and counts what is produced after', async () => {
    let consumed = 0;
    const consumer = client.createConsumer({
      groupId,
      topics: [topic],
      handler: async (messages) => {
        consumed += messages.length;
      },
    });
    await consumer.start();
    await waitFor(() => consumed >= 25, { description: 'the 25 records' });
    await waitFor(
      async () => {
        const offsets = Object.values(await committedOffsets(groupId, topic)).map(Number);
        return offsets.reduce((sum, o) => sum + Math.max(o, 0), 0) === 25;
      },
      { description: 'the commits to cover the 25 records' },
    );
    await consumer.stop();

    expect((await lag.read(groupId, topic)).total).toBe(0);

    await producer.send(topic, records(25, 7));
    expect((await lag.read(groupId, topic)).total).toBe(7);
  });
});
