import type { Admin } from 'kafkajs';
import { toKafkaError } from '../errors/to-kafka-error';
import { LazyAdminConnection } from './lazy-admin-connection';

/** How far one partition's consumer is behind. Offsets are 64-bit and travel as decimal strings. */
export interface PartitionLag {
  readonly partition: number;
  /** The next offset to be written (high watermark). */
  readonly latest: string;
  /** The next offset the group will read; null when the group never committed on this partition. */
  readonly committed: string | null;
  /** Records written and not yet committed by the group. */
  readonly lag: number;
}

/** A consumer group's lag on one topic: what {@link ConsumerGroupLag.read} returns. */
export interface GroupLag {
  readonly groupId: string;
  readonly topic: string;
  /** Sum over the partitions. */
  readonly total: number;
  readonly partitions: readonly PartitionLag[];
}

/** The part of a kafkajs admin client this reader uses. */
export type LagAdminPort = Pick<Admin, 'connect' | 'disconnect' | 'fetchTopicOffsets' | 'fetchOffsets'>;

/** The watermarks of one partition, as kafkajs reports them. */
export interface PartitionWatermarks {
  readonly partition: number;
  readonly high: string;
  readonly low: string;
}

/** The committed offset of one partition; `-1` (or any negative) when the group never committed there. */
export interface PartitionCommit {
  readonly partition: number;
  readonly offset: string;
}

/**
 * Lag from watermarks and commits: per partition, latest offset − committed offset. A partition the group never
 * committed counts from its earliest retained offset (everything still there is work the group has not done); a
 * commit older than the earliest retained offset counts from the earliest too (the rest is gone).
 */
export function computeGroupLag(
  watermarks: readonly PartitionWatermarks[],
  commits: readonly PartitionCommit[],
): { total: number; partitions: PartitionLag[] } {
  const committedBy = new Map(commits.map((c) => [c.partition, BigInt(c.offset)]));
  const partitions = [...watermarks]
    .sort((a, b) => a.partition - b.partition)
    .map(({ partition, high, low }) => {
      const latest = BigInt(high);
      const commit = committedBy.get(partition);
      const committed = commit !== undefined && commit >= 0n ? commit : null;
      const from = committed === null || committed < BigInt(low) ? BigInt(low) : committed;
      const lag = latest > from ? Number(latest - from) : 0;
      return { partition, latest: high, committed: committed === null ? null : committed.toString(), lag };
    });
  return { total: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
}

/**
 * Reads how far a consumer group is behind on a topic, e.g. the executor on the event log, which the poller weighs
 * as part of its backlog. Connects lazily on first use and stays connected. Get one from
 * `KafkaClient.createGroupLag()`; {@link disconnect} it at shutdown.
 */
export class ConsumerGroupLag {
  private readonly connection: LazyAdminConnection;

  /** @internal Use `KafkaClient.createGroupLag()`. */
  constructor(private readonly admin: LagAdminPort) {
    this.connection = new LazyAdminConnection(admin);
  }

  /** The group's lag on `topic`. Throws `KAFKA_*` errors (e.g. the topic does not exist, the cluster is down). */
  async read(groupId: string, topic: string): Promise<GroupLag> {
    try {
      await this.connect();
      const [watermarks, offsets] = await Promise.all([
        this.admin.fetchTopicOffsets(topic),
        this.admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const commits = offsets.find((entry) => entry.topic === topic)?.partitions ?? [];
      return { groupId, topic, ...computeGroupLag(watermarks, commits) };
    } catch (error) {
      throw toKafkaError(error, `reading the lag of group ${groupId} on ${topic}`);
    }
  }

  /** Disconnects; the next read connects again. */
  async disconnect(): Promise<void> {
    await this.connection.close();
  }

  private connect(): Promise<void> {
    return this.connection.open();
  }
}
