import type { Admin } from 'kafkajs';
import { computeGroupLag, ConsumerGroupLag, type LagAdminPort } from './consumer-group-lag';

describe('computeGroupLag', () => {
  it('sums latest minus committed over the partitions', () => {
    const lag = computeGroupLag(
      [
        { partition: 1, high: '10', low: '0' },
        { partition: 0, high: '5', low: '0' },
      ],
      [
        { partition: 0, offset: '5' },
        { partition: 1, offset: '4' },
      ],
    );
    expect(lag).toEqual({
      total: 6,
      partitions: [
        { partition: 0, latest: '5', committed: '5', lag: 0 },
        { partition: 1, latest: '10', committed: '4', lag: 6 },
      ],
    });
  });

  it('counts a partition the group never committed from its earliest retained offset', () => {
    const lag = computeGroupLag(
      [{ partition: 0, high: '120', low: '100' }],
      [{ partition: 0, offset: '-1' }],
    );
    expect(lag.total).toBe(20);
    expect(lag.partitions[0]?.committed).toBeNull();
  });

  it('counts a commit older than the retained records from the earliest one', () => {
    expect(
      computeGroupLag([{ partition: 0, high: '50', low: '40' }], [{ partition: 0, offset: '7' }]).total,
    ).toBe(10);
  });

  it('handles offsets beyond 2^53', () => {
    const lag = computeGroupLag(
      [{ partition: 0, high: '9007199254740999', low: '0' }],
      [{ partition: 0, offset: '9007199254740990' }],
    );
    expect(lag.total).toBe(9);
  });
});

describe('ConsumerGroupLag', () => {
  class FakeAdmin implements LagAdminPort {
    connects = 0;
    async connect() {
      this.connects += 1;
    }
    async disconnect() {
      return undefined;
    }
    fetchTopicOffsets: Admin['fetchTopicOffsets'] = async () => [
      { partition: 0, offset: '3', high: '3', low: '0' },
    ];
    fetchOffsets: Admin['fetchOffsets'] = async () => [
      { topic: 't', partitions: [{ partition: 0, offset: '1', metadata: null }] },
    ];
  }

  it('reads watermarks and commits, connecting once', async () => {
    const admin = new FakeAdmin();
    const reader = new ConsumerGroupLag(admin);
    await expect(reader.read('g', 't')).resolves.toMatchObject({ groupId: 'g', topic: 't', total: 2 });
    await reader.read('g', 't');
    expect(admin.connects).toBe(1);
  });

  it('fails with our error when the cluster refuses', async () => {
    const admin = new FakeAdmin();
    admin.fetchTopicOffsets = async () => {
      throw Object.assign(new Error('This server does not host this topic-partition'), {
        name: 'KafkaJSProtocolError',
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        retriable: true,
      });
    };
    await expect(new ConsumerGroupLag(admin).read('g', 't')).rejects.toMatchObject({
      code: 'KAFKA_REQUEST_FAILED',
      message: expect.stringContaining('reading the lag of group g on t'),
    });
  });
});
