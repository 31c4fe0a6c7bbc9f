import { uniqueName, waitFor } from '@smartlink/testing';
import { KafkaClient, type EventRecord } from '../src';
import { CollectingLogger, testSettings } from './kafka-test-support';

// The benchmark counts the records a system produced and consumed from two of these snapshots.

describe('NamespaceOffsets', () => {
  const namespace = uniqueName('offsets_ns');
  const client = new KafkaClient(testSettings({ SMARTLINK_TOPIC_NAMESPACE: namespace }), {
    logger: new CollectingLogger(),
  });
  const neighbour = new KafkaClient(testSettings({ SMARTLINK_TOPIC_NAMESPACE: `${namespace}x` }), {
    logger: new CollectingLogger(),
  });
  const producer = client.createProducer();
  const admin = client.createAdmin();
  const offsets = client.createNamespaceOffsets();
  const { events, logs } = client.topics;
  const groupId = `${namespace}.reader`;
  const records = (count: number): EventRecord[] =>
    Array.from({ length: count }, (_, i) => ({ key: `m-${i}`, value: '{}' }));

  beforeAll(async () => {
    await admin.ensureTopics([
      { name: events, partitions: 2 },
      { name: logs, partitions: 1 },
      { name: neighbour.topics.events, partitions: 1 },
    ]);
  });

  afterAll(async () => {
    await client.stopConsumers();
    await producer.disconnect();
    await admin.deleteTopicsStartingWith(`${namespace}.`);
    await admin.deleteTopicsStartingWith(`${namespace}x.`);
    await admin.disconnect();
    await offsets.disconnect();
  });

  it("reads the end offsets of the namespace's topics and the commits of its groups, and nothing else", async () => {
    const before = await offsets.snapshot();
    expect(before.prefix).toBe(`${namespace}.`);
    expect(before.topics).toEqual({ [events]: { '0': '0', '1': '0' }, [logs]: { '0': '0' } });
    expect(before.groups).toEqual({});

    await producer.send(events, records(10));
    await producer.send(logs, records(3));
    let consumed = 0;
    const consumer = client.createConsumer({
      groupId,
      topics: [events],
      handler: async (messages) => {
        consumed += messages.length;
      },
    });
    await consumer.start();
    await waitFor(() => consumed >= 10, { description: 'the 10 records' });
    const sum = (offsetsByPartition: Readonly<Record<string, string>> | undefined) =>
      Object.values(offsetsByPartition ?? {}).reduce((total, o) => total + Math.max(0, Number(o)), 0);
    await waitFor(async () => sum((await offsets.snapshot()).groups[groupId]?.[events]) === 10, {
      description: 'the commits to cover the 10 records',
    });
    await consumer.stop();

    const after = await offsets.snapshot();
    expect(sum(after.topics[events])).toBe(10);
    expect(after.topics[logs]).toEqual({ '0': '3' });
    expect(Object.keys(after.groups)).toEqual([groupId]);
    expect(Object.keys(after.groups[groupId] ?? {})).toEqual([events]);
    expect(Object.keys(after.topics)).not.toContain(neighbour.topics.events);
  });

  it("says whose clock a topic's record timestamps are", async () => {
    await expect(offsets.timestampType(events)).resolves.toMatch(/^(CreateTime|LogAppendTime)$/);
  });
});
