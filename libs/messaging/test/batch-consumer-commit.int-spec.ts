import { uniqueName, waitFor } from '@smartlink/testing';
import { KafkaClient, type ConsumedMessage } from '../src';
import { CLIENT_KINDS, CollectingLogger, committedOffsets, testSettings } from './kafka-test-support';

// Offsets are committed only after the handler resolved: a throwing handler leaves them uncommitted, and the
// next member of the group gets the same records again; after a successful handle it does not.

describe.each(CLIENT_KINDS)('BatchConsumer on %s against a real broker', (kind) => {
  const logger = new CollectingLogger();
  const client = new KafkaClient(testSettings({ KAFKA_CLIENT: kind }), { logger });
  const producer = client.createProducer();
  const admin = client.createAdmin();
  const topic = uniqueName('messaging_commit');
  const groupId = uniqueName('messaging_commit_group');
  const keys = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5'];

  beforeAll(async () => {
    // One partition, so "nothing before the sentinel" below means "nothing redelivered".
    await admin.ensureTopics([{ name: topic, partitions: 1 }]);
    await producer.send(
      topic,
      keys.map((key) => ({ key, value: `value of ${key}` })),
    );
  });

  afterAll(async () => {
    await client.stopConsumers();
    await producer.disconnect();
    await admin.disconnect();
  });

  function collectingConsumer(received: ConsumedMessage[]) {
    return client.createConsumer({
      groupId,
      topics: [topic],
      handler: async (messages) => {
        received.push(...messages);
      },
    });
  }

  describe('when the handler throws', () => {
    it('commits nothing, and the same batch is delivered again', async () => {
      const attempts: string[][] = [];
      const failing = client.createConsumer({
        groupId,
        topics: [topic],
        handler: async (messages) => {
          attempts.push(messages.map((m) => m.key ?? ''));
          throw new Error('database is down');
        },
      });

      await failing.start();
      await waitFor(() => attempts.length >= 2, { description: 'the failed batch to be delivered again' });
      await failing.stop();

      expect(attempts[1]).toEqual(attempts[0]);
      expect(attempts[0]?.[0]).toBe('m-1');
      expect(await committedOffsets(groupId, topic)).toEqual({ 0: '-1' }); // -1: nothing committed
      expect(logger.lines.some((line) => line.includes('database is down'))).toBe(true);
    });

    it('redelivers every record to the next consumer in the group', async () => {
      const received: ConsumedMessage[] = [];
      const next = collectingConsumer(received);

      await next.start();
      await waitFor(() => received.length >= keys.length, { description: 'the five records again' });
      await waitFor(async () => (await committedOffsets(groupId, topic))[0] === '5', {
        description: 'offset 5 to be committed',
      });
      await next.stop();

      expect(received.map((m) => m.key)).toEqual(keys);
    });
  });

  describe('after a successful handle', () => {
    it('does not deliver the handled records again after a restart', async () => {
      const received: ConsumedMessage[] = [];
      const restarted = collectingConsumer(received);

      await restarted.start();
      await waitFor(() => restarted.isRunning(), { description: 'the consumer to join its group' });
      await producer.send(topic, [{ key: 'sentinel', value: 'after the restart' }]);
      await waitFor(() => received.some((m) => m.key === 'sentinel'), { description: 'the sentinel record' });
      await restarted.stop();

      expect(received.map((m) => m.key)).toEqual(['sentinel']);
    });
  });
  describe('context.commit', () => {
    const ownTopic = uniqueName('messaging_commit_now');
    const ownGroup = uniqueName('messaging_commit_now_group');

    beforeAll(async () => {
      await admin.ensureTopics([{ name: ownTopic, partitions: 1 }]);
      await producer.send(
        ownTopic,
        keys.map((key) => ({ key, value: `value of ${key}` })),
      );
    });

    it('has the offset committed when it resolves, and keeps it when the chunk then fails', async () => {
      const seen: string[][] = [];
      const committedInside: Record<number, string>[] = [];
      const committing = client.createConsumer({
        groupId: ownGroup,
        topics: [ownTopic],
        handler: async (messages, context) => {
          seen.push(messages.map((m) => m.key ?? ''));
          if (seen.length === 1) {
            await context.commit((messages[1] as ConsumedMessage).offset);
            committedInside.push(await committedOffsets(ownGroup, ownTopic));
          }
          // A failed chunk is retried in the same process; only the group's offset outlives it.
          throw new Error('the process dies after the commit');
        },
      });
      await committing.start();
      await waitFor(() => seen.length >= 2, { description: 'the failed chunk to be retried' });
      await committing.stop();

      const received: ConsumedMessage[] = [];
      const next = client.createConsumer({
        groupId: ownGroup,
        topics: [ownTopic],
        handler: async (messages) => {
          received.push(...messages);
        },
      });
      await next.start();
      await waitFor(() => received.length >= 3, { description: 'the records after the commit' });
      await next.stop();

      expect(seen[0]).toEqual(keys);
      expect(committedInside).toEqual([{ 0: '2' }]);
      // The commit past m-2 held: the next member starts at m-3.
      expect(received.map((m) => m.key)).toEqual(['m-3', 'm-4', 'm-5']);
    });
  });
});
