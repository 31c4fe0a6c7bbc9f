import type { Gauge } from 'prom-client';
import { CachedRead } from './cached-read';
import type { MetricsRegistry } from './metrics-registry';

/** How far one group is behind on each partition of one topic; `ConsumerGroupLag.read` of the messaging lib fits. */
export interface ConsumerLagSource {
  read(
    groupId: string,
    topic: string,
  ): Promise<{ readonly partitions: readonly { readonly partition: number; readonly lag: number }[] }>;
}

/** Partitions of one topic. */
export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** This replica's member of a consumer group; `BatchConsumer` of the messaging lib fits. */
export interface GroupMember {
  readonly groupId: string;
  /** The partitions the group has assigned to this member now; empty while it has none (joining, rebalancing). */
  assignment(): readonly TopicPartitions[];
}

/** Default time a lag reading is reused: a few seconds, so scrapes do not hammer the cluster's admin API. */
export const DEFAULT_LAG_CACHE_MS = 5_000;

/**
 * `smartlink_consumer_lag_messages{group,topic}`: records written to the partitions this replica is assigned and not
 * yet committed by the group, read from the cluster (watermarks minus committed offsets) and cached. Each partition
 * is reported by the one replica it is assigned to, so `sum by (group, topic)` over replicas is the group's lag; a
 * replica with no partition of a topic exports no series for it. A topic whose lag cannot be read is left out of
 * that scrape rather than reported as zero.
 */
export function registerConsumerLag(
  registry: MetricsRegistry,
  source: ConsumerLagSource,
  members: () => readonly GroupMember[],
  cacheMs = DEFAULT_LAG_CACHE_MS,
): Gauge<'group' | 'topic'> {
  // One reading per group and topic, whichever partitions this replica holds when it is asked for.
  const readings = new Map<string, CachedRead<Map<number, number>>>();
  const reading = (groupId: string, topic: string) => {
    const key = JSON.stringify([groupId, topic]);
    let cached = readings.get(key);
    if (!cached) {
      cached = new CachedRead(async () => {
        const { partitions } = await source.read(groupId, topic);
        return new Map(partitions.map(({ partition, lag }) => [partition, lag]));
      }, cacheMs);
      readings.set(key, cached);
    }
    return cached.get();
  };
  return registry.gauge({
    name: 'smartlink_consumer_lag_messages',
    help: 'Records not yet committed by the consumer group on the partitions this replica is assigned',
    labelNames: ['group', 'topic'],
    async collect() {
      const owned = members().flatMap((member) =>
        member
          .assignment()
          .filter(({ partitions }) => partitions.length > 0)
          .map(({ topic, partitions }) => ({ groupId: member.groupId, topic, partitions })),
      );
      const results = await Promise.allSettled(owned.map(({ groupId, topic }) => reading(groupId, topic)));
      this.reset();
      owned.forEach(({ groupId, topic, partitions }, i) => {
        const result = results[i];
        if (result?.status !== 'fulfilled') return;
        const lag = partitions.reduce((sum, partition) => sum + (result.value.get(partition) ?? 0), 0);
        this.set({ group: groupId, topic }, lag);
      });
    },
  });
}
