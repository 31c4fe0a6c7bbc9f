import type { Admin } from 'kafkajs';
import { NamespaceOffsets, type OffsetsAdminPort } from './namespace-offsets';

describe('NamespaceOffsets', () => {
  class FakeAdmin implements OffsetsAdminPort {
    connects = 0;
    asked: string[] = [];
    async connect() {
      this.connects += 1;
    }
    async disconnect() {
      return undefined;
    }
    listTopics: Admin['listTopics'] = async () => ['ns.events', 'nsx.events', 'other', 'ns.cmd.Demo'];
    fetchTopicOffsets: Admin['fetchTopicOffsets'] = async (topic) => {
      this.asked.push(topic);
      return [
        { partition: 1, offset: '7', high: '7', low: '0' },
        { partition: 0, offset: '5', high: '5', low: '2' },
      ];
    };
    listGroups: Admin['listGroups'] = async () => ({
      groups: [
        { groupId: 'ns.executor.events', protocolType: 'consumer' },
        { groupId: 'bench_events_1', protocolType: 'consumer' },
      ],
    });
    fetchOffsets: Admin['fetchOffsets'] = async ({ groupId }) =>
      groupId === 'ns.executor.events'
        ? [{ topic: 'ns.events', partitions: [{ partition: 0, offset: '4', metadata: null }] }]
        : [];
    describeConfigs: Admin['describeConfigs'] = async () => ({
      throttleTime: 0,
      resources: [
        {
          errorCode: 0,
          errorMessage: '',
          resourceName: 'ns.events',
          resourceType: 2,
          configEntries: [
            {
              configName: 'message.timestamp.type',
              configValue: 'CreateTime',
              isDefault: true,
              configSource: 5,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [],
            },
          ],
        },
      ],
    });
  }

  it("snapshots the namespace's topics and groups only, connecting once", async () => {
    const admin = new FakeAdmin();
    const offsets = new NamespaceOffsets(admin, 'ns.');
    await expect(offsets.snapshot()).resolves.toEqual({
      prefix: 'ns.',
      topics: { 'ns.cmd.Demo': { '0': '5', '1': '7' }, 'ns.events': { '0': '5', '1': '7' } },
      groups: { 'ns.executor.events': { 'ns.events': { '0': '4' } } },
    });
    expect(admin.asked.sort()).toEqual(['ns.cmd.Demo', 'ns.events']);
    await offsets.timestampType('ns.events');
    expect(admin.connects).toBe(1);
  });

  it('reads the timestamp type of a topic', async () => {
    await expect(new NamespaceOffsets(new FakeAdmin(), 'ns.').timestampType('ns.events')).resolves.toBe(
      'CreateTime',
    );
  });

  it('refuses a prefix that is not a namespace ending with a dot', () => {
    expect(() => new NamespaceOffsets(new FakeAdmin(), 'ns')).toThrow(RangeError);
  });

  it('tries again while a partition has no leader known yet (topics just created)', async () => {
    const admin = new FakeAdmin();
    const fetch = admin.fetchTopicOffsets;
    let refusals = 2;
    admin.fetchTopicOffsets = async (topic) => {
      if (refusals-- > 0) {
        throw Object.assign(new Error('This server is not the leader for that topic-partition'), {
          name: 'KafkaJSProtocolError',
          type: 'NOT_LEADER_FOR_PARTITION',
          retriable: true,
        });
      }
      return fetch(topic);
    };

    const snapshot = await new NamespaceOffsets(admin, 'ns.').snapshot();

    expect(refusals).toBeLessThan(0);
    expect(snapshot.topics['ns.events']).toEqual({ '0': '5', '1': '7' });
  });

  it('fails with our error when the cluster refuses', async () => {
    const admin = new FakeAdmin();
    admin.listGroups = async () => {
      throw Object.assign(new Error('Not authorized to access group'), {
        name: 'KafkaJSProtocolError',
        type: 'GROUP_AUTHORIZATION_FAILED',
        retriable: false,
      });
    };
    await expect(new NamespaceOffsets(admin, 'ns.').snapshot()).rejects.toMatchObject({
      code: 'KAFKA_REQUEST_FAILED',
      message: expect.stringContaining('reading the offsets of the topics and groups ns.*'),
    });
  });
});
