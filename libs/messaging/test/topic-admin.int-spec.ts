import { uniqueName } from '@smartlink/testing';
import { KafkaClient } from '../src';
import { CollectingLogger, testSettings } from './kafka-test-support';

// The benchmark leaves gigabytes on a shared broker unless it removes its namespace's topics afterwards.

describe('TopicAdmin.deleteTopicsStartingWith', () => {
  const client = new KafkaClient(testSettings(), { logger: new CollectingLogger() });
  const admin = client.createAdmin();
  const namespace = uniqueName('admin_ns');
  const neighbour = `${namespace}x.events`; // shares the text of the prefix, not the namespace

  afterAll(async () => {
    await admin.deleteTopicsStartingWith(`${namespace}x.`);
    await admin.disconnect();
  });

  it('deletes every topic of a namespace and nothing else, and says which', async () => {
    const ours = [`${namespace}.events`, `${namespace}.cmd.Demo`];
    await admin.ensureTopics([...ours, neighbour].map((name) => ({ name, partitions: 1 })));

    const deleted = await admin.deleteTopicsStartingWith(`${namespace}.`);

    expect(deleted).toEqual([...ours].sort());
    const left = await admin.ensureTopics([{ name: neighbour, partitions: 1 }]);
    expect(left.existing).toEqual([neighbour]);
    expect(await admin.deleteTopicsStartingWith(`${namespace}.`)).toEqual([]);
  });

  it('refuses a prefix that is not a namespace ending with a dot', async () => {
    await expect(admin.deleteTopicsStartingWith('')).rejects.toThrow(RangeError);
    await expect(admin.deleteTopicsStartingWith(namespace)).rejects.toThrow(/ending with a dot/);
  });
});
