import { MetricsRegistry, registerConsumerLag } from '@smartlink/metrics';
import { uniqueName, waitFor } from '@smartlink/testing';
import { KafkaClient, type BatchConsumer, type ConsumedMessage, type EventRecord } from '../src';
import { CollectingLogger, testSettings } from './kafka-test-support';

// Two replicas of a service in one consumer group on a real broker, each with its own Prometheus registry, as
// Prometheus would scrape them: summed over the replicas, smartlink_consumer_lag_messages is the group's lag as the
// cluster reports it, each partition counted once; and one replica at a time leads the group.

const PARTITIONS = 4;
/** Each replica commits this many records per partition, then holds the next one until the test releases it. */
const COMMITTED_PER_PARTITION = 2;

/** The lag samples of one scrape, by group and topic. */
function lagSamples(exposition: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const [, group, topic, value] of exposition.matchAll(
    /^smartlink_consumer_lag_messages\{group="([^"]+)",topic="([^"]+)"[^}]*\} (\S+)$/gm,
  )) {
    samples.set(`${group}/${topic}`, Number(value));
  }
  return samples;
}

describe('consumer lag exported by two replicas of one group', () => {
  const topic = uniqueName('lag_replicas_topic');
  const groupId = uniqueName('lag_replicas_group');
  const observer = new KafkaClient(testSettings(), { logger: new CollectingLogger() });
  const admin = observer.createAdmin();
  const producer = observer.createProducer();
  const truth = observer.createGroupLag();
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });

  /** One replica: its own client, consumer and registry. */
  const replicas = [0, 1].map((index) => {
    const client = new KafkaClient(testSettings({ KAFKA_CLIENT_ID: `replica-${index}` }), {
      logger: new CollectingLogger(),
    });
    const registry = new MetricsRegistry({ service: `replica-${index}`, defaultMetrics: false });
    const lag = client.createGroupLag();
    const consumer: BatchConsumer = client.createConsumer({
      groupId,
      topics: [topic],
      maxBatchSize: 1,
      partitionsConsumedConcurrently: PARTITIONS,
      handler: async (messages: readonly ConsumedMessage[]) => {
        const first = messages[0];
        if (first && Number(first.offset) >= COMMITTED_PER_PARTITION) await released;
      },
    });
    registerConsumerLag(registry, lag, () => [consumer], 0);
    return { client, registry, lag, consumer };
  });

  beforeAll(async () => {
    await admin.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
  });

  afterAll(async () => {
    release();
    for (const { client, lag } of replicas) {
      await client.stopConsumers();
      await lag.disconnect();
    }
    await producer.disconnect();
    await admin.disconnect();
    await truth.disconnect();
  });

  it('sums over the replicas to the lag of the group, and has one replica lead the group', async () => {
    for (const { consumer } of replicas) await consumer.start();
    // Both in the group, the partitions split between them, before any record: no rebalance under a held record.
    await waitFor(
      () =>
        replicas.every(({ consumer }) => (consumer.assignment()[0]?.partitions.length ?? 0) > 0) &&
        replicas.flatMap(({ consumer }) => consumer.assignment()[0]?.partitions ?? []).length === PARTITIONS,
      { description: 'the partitions split between the two replicas', timeoutMs: 60_000 },
    );
    const records: EventRecord[] = Array.from({ length: 40 }, (_, i) => ({ key: `m-${i}`, value: '{}' }));
    await producer.send(topic, records);

    // Every partition has committed what it will before the held record: the lag stands still.
    const expected = async () => {
      const { partitions } = await truth.read(groupId, topic);
      const held = partitions.reduce(
        (sum, { latest }) => sum + Math.max(0, Number(latest) - COMMITTED_PER_PARTITION),
        0,
      );
      const total = partitions.reduce((sum, { lag }) => sum + lag, 0);
      return total === held ? total : undefined;
    };
    const groupLag = await waitFor(expected, { description: 'the group to commit up to the held records' });
    expect(groupLag).toBeGreaterThan(0);

    const scraped = await Promise.all(
      replicas.map(async ({ registry }) => lagSamples(await registry.metrics())),
    );
    const values = scraped.map((samples) => samples.get(`${groupId}/${topic}`));
    expect(values.every((value) => value !== undefined)).toBe(true);
    expect(values.reduce<number>((sum, value) => sum + (value ?? 0), 0)).toBe(groupLag);
    // Neither replica reports the whole group: each reports its own partitions.
    expect(values).not.toContain(groupLag);

    expect(replicas.map(({ consumer }) => consumer.isGroupLeader()).filter(Boolean)).toHaveLength(1);
  });
});
