import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { keyPartitioner, murmur2 } from './key-partitioner';

// kafkajs' own (Long-based) murmur2: what ours must equal, bit for bit.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: string | Buffer,
) => number;

const partitionMetadata = (count: number, leaderless: number[] = []) =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 1,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
  }));

describe('murmur2', () => {
  it("gives the Java client's hashes (Kafka's UtilsTest vectors)", () => {
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
  });

  it("equals kafkajs' murmur2 on message ids, text of every length, non-ASCII text and bytes", () => {
    const keys: (string | Buffer)[] = [
      '',
      'a',
      ...Array.from({ length: 200 }, () => randomUUID()),
      ...Array.from({ length: 50 }, (_, n) => randomBytes(n).toString('base64').slice(0, n)),
      'ação 日本 🚀',
      'NF-fails once-7',
      ...Array.from({ length: 50 }, (_, n) => randomBytes(n)),
    ];
    for (const key of keys) expect({ key, hash: murmur2(key) }).toEqual({ key, hash: kafkajsMurmur2(key) });
  });
});

describe('keyPartitioner', () => {
  const ours = keyPartitioner();
  const theirs = Partitioners.DefaultPartitioner();
  const args = (key: string | null, partitions = 6, partition?: number): PartitionerArgs => ({
    topic: 'smartlink.events',
    partitionMetadata: partitionMetadata(partitions),
    message: { key, value: 'x', ...(partition !== undefined && { partition }) },
  });

  it("puts a keyed record on the same partition as kafkajs' DefaultPartitioner", () => {
    for (let i = 0; i < 300; i += 1) {
      const key = randomUUID();
      for (const partitions of [1, 3, 6, 7, 50]) {
        expect(ours(args(key, partitions))).toBe(theirs(args(key, partitions)));
      }
    }
  });

  it('keeps a partition given on the record', () => {
    expect(ours(args('m-1', 6, 4))).toBe(4);
  });

  it('round-robins unkeyed records over the partitions that have a leader', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 12; i += 1) {
      seen.add(
        ours({
          topic: 't',
          partitionMetadata: partitionMetadata(4, [1]),
          message: { key: null, value: 'x' },
        }),
      );
    }
    expect([...seen].sort()).toEqual([0, 2, 3]);
  });
});
