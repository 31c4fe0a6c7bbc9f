import type { Gauge } from 'prom-client';
import { CachedRead } from './cached-read';
import type { MetricsRegistry } from './metrics-registry';

/** How far one group is behind on one topic; `ConsumerGroupLag.read` of the messaging lib fits. */
export interface ConsumerLagSource {
  read(groupId: string, topic: string): Promise<{ readonly total: number }>;
}

/** A consumer group of the service and the topics it reads. */
export interface ConsumedTopics {
  readonly groupId: string;
  readonly topics: readonly string[];
}

/** Default time a lag reading is reused: a few seconds, so scrapes do not hammer the cluster's admin API. */
export const DEFAULT_LAG_CACHE_MS = 5_000;

/**
 * `smartlink_consumer_lag_messages{group,topic}`: records written to a topic and not yet committed by the group,
 * read from the cluster (watermarks minus committed offsets) and cached. A group or topic that cannot be read is
 * left out of that scrape rather than reported as zero.
 */
export function registerConsumerLag(
  registry: MetricsRegistry,
  source: ConsumerLagSource,
  groups: () => readonly ConsumedTopics[],
  cacheMs = DEFAULT_LAG_CACHE_MS,
): Gauge<'group' | 'topic'> {
  const reading = new CachedRead(async () => {
    const pairs = groups().flatMap(({ groupId, topics }) => topics.map((topic) => ({ groupId, topic })));
    const results = await Promise.allSettled(pairs.map(({ groupId, topic }) => source.read(groupId, topic)));
    return pairs.flatMap((pair, i) => {
      const result = results[i];
      return result?.status === 'fulfilled' ? [{ ...pair, lag: result.value.total }] : [];
    });
  }, cacheMs);
  return registry.gauge({
    name: 'smartlink_consumer_lag_messages',
    help: 'Records on a topic that the consumer group has not committed yet',
    labelNames: ['group', 'topic'],
    async collect() {
      this.reset();
      for (const { groupId, topic, lag } of await reading.get()) this.set({ group: groupId, topic }, lag);
    },
  });
}
