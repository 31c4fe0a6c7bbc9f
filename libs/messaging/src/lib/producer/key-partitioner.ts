import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
// A UTF-16 code unit from 0x80 up: without one, a key is ASCII and its char codes are its UTF-8 bytes.
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Kafka's murmur2 hash (the Java client's `Utils.murmur2`), on 32-bit integer arithmetic. kafkajs ships the same
 * function on a 64-bit Long emulation, which cost the executor about 7 % of its CPU under load: one hash per record.
 */
export function murmur2(key: string | Buffer): number {
  // Our keys are message ids, nearly always ASCII: hash their char codes without building a Buffer.
  const ascii = typeof key === 'string' && !NON_ASCII.test(key);
  const data = ascii ? null : Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8');
  const text = key as string;
  const length = data ? data.length : text.length;
  const at = data ? (i: number) => data[i] as number : (i: number) => text.charCodeAt(i);
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i += 1) {
    const i4 = i * 4;
    let k =
      (at(i4) & 0xff) |
      ((at(i4 + 1) & 0xff) << 8) |
      ((at(i4 + 2) & 0xff) << 16) |
      ((at(i4 + 3) & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= (at(tail + 2) & 0xff) << 16;
  if (rest >= 2) h ^= (at(tail + 1) & 0xff) << 8;
  if (rest >= 1) {
    h ^= at(tail) & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

const toPositive = (x: number) => x & 0x7fffffff;

/**
 * The partitioner of our producers: kafkajs' `DefaultPartitioner` (the Java client's), so a message id lands on the
 * same partition whichever client in whichever language produced it, with the fast {@link murmur2}. A keyed record
 * goes to `murmur2(key) % partitions`; an unkeyed one round-robins over the partitions that have a leader.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) {
      return toPositive(murmur2(message.key)) % partitionMetadata.length;
    }
    const counter = (counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1;
    counters.set(topic, counter);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0)
      return (available[toPositive(counter) % available.length] as { partitionId: number }).partitionId;
    return toPositive(counter) % partitionMetadata.length;
  };
};
