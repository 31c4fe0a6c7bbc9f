import { Admin } from '@platformatic/kafka';
import { uniqueName, waitFor } from '@smartlink/testing';
import { KafkaClient, type BatchConsumer, type ConsumedMessage } from '../src';
import { murmur2 } from '../src/lib/producer/key-partitioner';
import { CollectingLogger, committedOffsets, testBrokers, testSettings } from './kafka-test-support';

// KIP-848's consumer group protocol (KAFKA_GROUP_PROTOCOL=consumer, @platformatic/kafka only) on the test broker: the
// broker assigns the partitions, two members share them, and when one leaves the other takes over its partitions and
// goes on consuming, from what the group committed.

const PARTITIONS = 4;
const RECORDS = 40;

describe('the KIP-848 consumer group protocol on platformatic', () => {
  const client = new KafkaClient(
    testSettings({ KAFKA_CLIENT: 'platformatic', KAFKA_GROUP_PROTOCOL: 'consumer' }),
    { logger: new CollectingLogger() },
  );
  const producer = client.createProducer();
  const admin = client.createAdmin();
  const topic = uniqueName('messaging_kip848');
  const groupId = uniqueName('messaging_kip848_group');

  beforeAll(async () => {
    await admin.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
  });

  afterAll(async () => {
    await client.stopConsumers();
    await producer.disconnect();
    await admin.disconnect();
  });

  const records = (from: number) =>
    Array.from({ length: RECORDS }, (_, i) => ({ key: `m-${from + i}`, value: `value of m-${from + i}` }));
  const partitionOf = (key: string) => (murmur2(key) & 0x7fffffff) % PARTITIONS;

  function member(received: ConsumedMessage[]): BatchConsumer {
    return client.createConsumer({
      groupId,
      topics: [topic],
      handler: async (messages) => {
        received.push(...messages);
      },
    });
  }

  it('shares the partitions between two members, and the one that stays consumes them all once the other left', async () => {
    // Every partition gets records, so each member has some to consume.
    expect(new Set(records(0).map((r) => partitionOf(r.key)))).toEqual(new Set([0, 1, 2, 3]));
    const receivedA: ConsumedMessage[] = [];
    const receivedB: ConsumedMessage[] = [];
    const a = member(receivedA);
    const b = member(receivedB);
    await a.start();
    await b.start();

    await waitFor(
      () => {
        const [ofA, ofB] = [owned(a), owned(b)];
        return (
          ofA.length > 0 &&
          ofB.length > 0 &&
          [...ofA, ...ofB].sort().join() === '0,1,2,3' &&
          a.isRunning() &&
          b.isRunning()
        );
      },
      { description: 'both members to own partitions, each partition one owner', timeoutMs: 30_000 },
    );
    const ofB = owned(b);
    // Under KIP-848 the broker is the assignor; the group is one of the consumer type, not classic.
    const observer = new Admin({
      clientId: 'messaging-int-spec-observer',
      bootstrapBrokers: testBrokers().split(','),
    });
    try {
      const groups = await observer.listGroups({ types: ['consumer'] });
      expect(groups.get(groupId)?.groupType).toBe('consumer');
    } finally {
      await observer.close();
    }
    // Exactly one member leads: the owner of partition 0.
    expect([a.isGroupLeader(), b.isGroupLeader()].filter(Boolean)).toHaveLength(1);

    await producer.send(topic, records(0));
    await waitFor(() => new Set([...receivedA, ...receivedB].map((m) => m.key)).size === RECORDS, {
      description: `the first ${RECORDS} records, between the two members`,
      timeoutMs: 30_000,
    });
    expect(new Set(receivedB.map((m) => m.partition))).toEqual(new Set(ofB));
    expect(receivedA.some((m) => ofB.includes(m.partition))).toBe(false);

    await b.stop();
    await waitFor(() => owned(a).sort().join() === '0,1,2,3', {
      description: "the member that stayed to own the leaver's partitions too",
      timeoutMs: 30_000,
    });
    expect(a.isRunning()).toBe(true);
    expect(a.isGroupLeader()).toBe(true);

    await producer.send(topic, records(RECORDS));
    await waitFor(() => records(RECORDS).every((r) => receivedA.some((m) => m.key === r.key)), {
      description: `the next ${RECORDS} records, all by the member that stayed`,
      timeoutMs: 30_000,
    });
    expect(new Set(receivedA.slice(-RECORDS).map((m) => m.partition))).toEqual(new Set([0, 1, 2, 3]));

    // Everything handled is committed: the group's offsets add up to every record.
    await waitFor(
      async () =>
        Object.values(await committedOffsets(groupId, topic)).reduce(
          (sum, o) => sum + Math.max(Number(o), 0),
          0,
        ) ===
        2 * RECORDS,
      { description: 'the committed offsets to cover every record' },
    );
  });
});

describe.each(['classic', 'consumer'])(
  'static membership on platformatic with the %s protocol',
  (protocol) => {
    const instanceId = uniqueName('messaging_static_member');
    const client = new KafkaClient(
      testSettings({
        KAFKA_CLIENT: 'platformatic',
        KAFKA_GROUP_PROTOCOL: protocol,
        KAFKA_GROUP_INSTANCE_ID: instanceId,
      }),
      { logger: new CollectingLogger() },
    );
    const producer = client.createProducer();
    const admin = client.createAdmin();

    afterAll(async () => {
      await client.stopConsumers();
      await producer.disconnect();
      await admin.disconnect();
    });

    it('joins with KAFKA_GROUP_INSTANCE_ID as its instance id and consumes', async () => {
      const topic = uniqueName('messaging_static');
      const groupId = uniqueName('messaging_static_group');
      await admin.ensureTopics([{ name: topic, partitions: 2 }]);
      const received: ConsumedMessage[] = [];
      const consumer = client.createConsumer({
        groupId,
        topics: [topic],
        handler: async (messages) => {
          received.push(...messages);
        },
      });
      await consumer.start();
      await waitFor(() => consumer.isRunning() && owned(consumer).length === 2, {
        description: 'the static member to own both partitions',
        timeoutMs: 30_000,
      });
      await producer.send(topic, [{ key: 'm-1', value: 'to a static member' }]);
      await waitFor(() => received.length === 1, { description: 'the record' });

      // The classic DescribeGroups shows each member's instance id; KIP-848 groups are described by another API,
      // which @platformatic/kafka's Admin does not offer.
      const described = protocol === 'classic' ? await instanceIdsOf(groupId) : 'not described';
      expect(described).toEqual(protocol === 'classic' ? [instanceId] : 'not described');
      await consumer.stop();
    });
  },
);

// What the deployment manifests run (KAFKA_GROUP_INSTANCE_ID from the pod name, the classic protocol): a static
// member that stops leaves the group at once, although the broker would keep a silent static member's partitions for
// its whole session; and a member that comes back under the same instance id gets partitions again.
describe('static members of the classic protocol on platformatic', () => {
  /** Far longer than the waits below: a partition that moves within them moved because its member left. */
  const SESSION_TIMEOUT_MS = 60_000;
  const clients: KafkaClient[] = [];
  const clientFor = (instanceId: string) => {
    const client = new KafkaClient(
      testSettings({
        KAFKA_CLIENT: 'platformatic',
        KAFKA_GROUP_PROTOCOL: 'classic',
        KAFKA_GROUP_INSTANCE_ID: instanceId,
        KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      }),
      { logger: new CollectingLogger() },
    );
    clients.push(client);
    return client;
  };

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.stopConsumers()));
  });

  it('leaves the group when stopped, and joins again under the same instance id', async () => {
    const topic = uniqueName('messaging_static_leave');
    const groupId = uniqueName('messaging_static_leave_group');
    const [a, b] = [uniqueName('pod_a'), uniqueName('pod_b')];
    const admin = clientFor(a).createAdmin();
    await admin.ensureTopics([{ name: topic, partitions: 2 }]);
    await admin.disconnect();
    const member = (instanceId: string) =>
      clientFor(instanceId).createConsumer({ groupId, topics: [topic], handler: async () => undefined });

    const first = member(a);
    const second = member(b);
    await Promise.all([first.start(), second.start()]);
    await waitFor(() => owned(first).length === 1 && owned(second).length === 1, {
      description: 'each static member to own one partition',
      timeoutMs: 30_000,
    });
    expect((await instanceIdsOf(groupId)).sort()).toEqual([a, b].sort());

    await first.stop();
    await waitFor(() => owned(second).length === 2, {
      description:
        'the other member to own both partitions well within the session the broker would wait out',
      timeoutMs: SESSION_TIMEOUT_MS / 3,
    });
    expect(await instanceIdsOf(groupId)).toEqual([b]);

    const again = member(a);
    await again.start();
    await waitFor(() => owned(again).length === 1 && owned(second).length === 1, {
      description: 'the member back under its instance id to own a partition again',
      timeoutMs: 30_000,
    });
    await Promise.all([again.stop(), second.stop()]);
  });
});

/** The instance ids of a classic group's members, as the broker describes them. */
async function instanceIdsOf(groupId: string): Promise<unknown[]> {
  const observer = new Admin({
    clientId: 'messaging-int-spec-observer',
    bootstrapBrokers: testBrokers().split(','),
  });
  try {
    const group = (await observer.describeGroups({ groups: [groupId] })).get(groupId);
    return [...(group?.members.values() ?? [])].map((m) => m.groupInstanceId);
  } finally {
    await observer.close();
  }
}

function owned(consumer: BatchConsumer): number[] {
  return consumer.assignment().flatMap((a) => a.partitions);
}
