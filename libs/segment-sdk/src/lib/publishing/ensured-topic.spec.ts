import type { TopicSpec } from '@smartlink/messaging';
import { EnsuredTopic } from './ensured-topic';

function setup() {
  const requests: string[][] = [];
  let failures = 0;
  const admin = {
    ensureTopics: async (specs: readonly TopicSpec[]) => {
      requests.push(specs.map((spec) => spec.name));
      if (failures > 0) {
        failures -= 1;
        throw new Error('broker unavailable');
      }
      return { created: [], existing: [] };
    },
  };
  const client = { topicSpec: (name: string): TopicSpec => ({ name, partitions: 2 }) };
  return {
    topic: new EnsuredTopic(admin, client, 'ns.outbound'),
    requests,
    failNext: () => {
      failures += 1;
    },
  };
}

describe('EnsuredTopic', () => {
  it('asks once, for concurrent and later callers alike', async () => {
    const { topic, requests } = setup();
    await Promise.all([topic.ensure(), topic.ensure()]);
    await topic.ensure();
    expect(requests).toEqual([['ns.outbound']]);
  });

  it('asks again after a failed request', async () => {
    const { topic, requests, failNext } = setup();
    failNext();
    await expect(topic.ensure()).rejects.toThrow('broker unavailable');
    await topic.ensure();
    expect(requests).toHaveLength(2);
  });
});
