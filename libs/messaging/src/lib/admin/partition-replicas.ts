import type { Admin } from 'kafkajs';
import { toKafkaError } from '../errors/to-kafka-error';
import { LazyAdminConnection } from './lazy-admin-connection';

/** One partition's replicas as the cluster reports it, with how far it has been written. */
export interface PartitionReplicaState {
  readonly topic: string;
  readonly partition: number;
  /** Broker id of the leader; -1 while it has none. */
  readonly leader: number;
  readonly replicas: readonly number[];
  /** The in-sync replicas: fewer than `replicas` means the partition is under-replicated. */
  readonly isr: readonly number[];
  /** The high watermark (records written so far). Offsets are 64-bit; a test cluster's fit a number. */
  readonly endOffset: number;
}

/** The part of a kafkajs admin client this reader uses. */
export type ReplicaAdminPort = Pick<
  Admin,
  'connect' | 'disconnect' | 'listTopics' | 'fetchTopicMetadata' | 'fetchTopicOffsets' | 'describeCluster'
>;

/**
 * Reads where partitions live: leader, replicas, in-sync replicas and end offset per partition, and the brokers the
 * cluster lists. For tests and tools that watch a cluster while its brokers fail (which broker to kill, when the
 * ISR is full again). Get one from `KafkaClient.createPartitionReplicas()`; {@link disconnect} it when done.
 */
export class PartitionReplicas {
  private readonly connection: LazyAdminConnection;

  /** @internal Use `KafkaClient.createPartitionReplicas()`. */
  constructor(private readonly admin: ReplicaAdminPort) {
    this.connection = new LazyAdminConnection(admin);
  }

  /** Every partition of `topics`; of every topic (Kafka's internal ones included) when not given. */
  async read(topics?: readonly string[]): Promise<PartitionReplicaState[]> {
    try {
      await this.connect();
      const names = topics ?? (await this.admin.listTopics());
      if (names.length === 0) return [];
      const metadata = await this.admin.fetchTopicMetadata({ topics: [...names] });
      const states: PartitionReplicaState[] = [];
      for (const topic of metadata.topics) {
        const offsets = await this.admin.fetchTopicOffsets(topic.name);
        const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
        for (const p of [...topic.partitions].sort((a, b) => a.partitionId - b.partitionId)) {
          states.push({
            topic: topic.name,
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            endOffset: high.get(p.partitionId) ?? 0,
          });
        }
      }
      return states;
    } catch (error) {
      throw toKafkaError(error, 'reading the partitions of the cluster');
    }
  }

  /** The ids of the brokers the cluster lists now (registered and not fenced). */
  async brokerIds(): Promise<number[]> {
    try {
      await this.connect();
      const { brokers } = await this.admin.describeCluster();
      return brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    } catch (error) {
      throw toKafkaError(error, 'describing the cluster');
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
