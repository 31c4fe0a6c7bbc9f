import type { Admin } from 'kafkajs';
import { PartitionReplicas, type ReplicaAdminPort } from './partition-replicas';

describe('PartitionReplicas', () => {
  class FakeAdmin implements ReplicaAdminPort {
    connects = 0;
    async connect() {
      this.connects += 1;
    }
    async disconnect() {
      return undefined;
    }
    listTopics: Admin['listTopics'] = async () => ['orders', '__consumer_offsets'];
    fetchTopicMetadata: Admin['fetchTopicMetadata'] = async (options) => ({
      topics: (options?.topics ?? []).map((name) => ({
        name,
        partitions: [
          { partitionErrorCode: 0, partitionId: 1, leader: 3, replicas: [3, 1, 2], isr: [3, 1] },
          { partitionErrorCode: 0, partitionId: 0, leader: 2, replicas: [2, 3, 1], isr: [2, 3, 1] },
        ],
      })),
    });
    fetchTopicOffsets: Admin['fetchTopicOffsets'] = async (topic) => [
      { partition: 0, offset: '7', high: topic === 'orders' ? '7' : '0', low: '0' },
      { partition: 1, offset: '12', high: topic === 'orders' ? '12' : '0', low: '0' },
    ];
    describeCluster: Admin['describeCluster'] = async () => ({
      clusterId: 'c',
      controller: 1,
      brokers: [
        { nodeId: 3, host: 'localhost', port: 3 },
        { nodeId: 1, host: 'localhost', port: 1 },
      ],
    });
  }

  it('reads leader, replicas, in-sync replicas and end offset of each partition, in partition order', async () => {
    const replicas = new PartitionReplicas(new FakeAdmin());

    await expect(replicas.read(['orders'])).resolves.toEqual([
      { topic: 'orders', partition: 0, leader: 2, replicas: [2, 3, 1], isr: [2, 3, 1], endOffset: 7 },
      { topic: 'orders', partition: 1, leader: 3, replicas: [3, 1, 2], isr: [3, 1], endOffset: 12 },
    ]);
  });

  it('reads every topic, internal ones included, when none is named; connects once', async () => {
    const admin = new FakeAdmin();
    const replicas = new PartitionReplicas(admin);

    const states = await replicas.read();
    await replicas.brokerIds();

    expect(new Set(states.map((s) => s.topic))).toEqual(new Set(['orders', '__consumer_offsets']));
    expect(admin.connects).toBe(1);
  });

  it('lists the brokers the cluster reports, by id', async () => {
    await expect(new PartitionReplicas(new FakeAdmin()).brokerIds()).resolves.toEqual([1, 3]);
  });

  it('fails with our error when the cluster cannot be reached', async () => {
    const admin = new FakeAdmin();
    admin.describeCluster = async () => {
      throw Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
        name: 'KafkaJSConnectionError',
      });
    };

    await expect(new PartitionReplicas(admin).brokerIds()).rejects.toMatchObject({
      message: expect.stringContaining('describing the cluster'),
    });
  });
});
