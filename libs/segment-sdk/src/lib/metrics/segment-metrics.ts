import type { ConsumerGroupLag } from '@smartlink/messaging';
import { registerConsumerLag, type GroupMember, type MetricsRegistry } from '@smartlink/metrics';
import type { SegmentStats } from '../stats/segment-stats';

/**
 * A segment's Prometheus metrics, read from its {@link SegmentStats} at scrape time: attempts handled by command and
 * outcome, redeliveries absorbed, undecodable records, messages published for the cloud, handlers running, and the
 * lag of the segment's group on the command topic partitions this replica is assigned.
 */
export function registerSegmentMetrics(
  registry: MetricsRegistry,
  stats: SegmentStats,
  lag: Pick<ConsumerGroupLag, 'read'>,
  members: () => readonly GroupMember[],
): void {
  registry.counter({
    name: 'smartlink_segment_handled_total',
    help: 'Attempts whose handler ran, by command and outcome (succeeded, failed, fatal)',
    labelNames: ['command', 'outcome'],
    collect() {
      this.reset();
      for (const [command, counts] of Object.entries(stats.snapshot().handled)) {
        for (const [outcome, count] of Object.entries(counts)) this.inc({ command, outcome }, count);
      }
    },
  });
  const total = (name: string, help: string, read: () => number) =>
    registry.counter({
      name,
      help,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  total(
    'smartlink_segment_duplicates_absorbed_total',
    'Redeliveries of an (id, attempt) finished here, answered without running the handler',
    () => stats.snapshot().duplicatesAbsorbed,
  );
  total(
    'smartlink_segment_undecodable_total',
    'Records on a command topic that were not a readable command message',
    () => stats.snapshot().undecodable,
  );
  total(
    'smartlink_segment_superseded_total',
    'Attempts not run because a later attempt of the same message came in the same chunk',
    () => stats.snapshot().superseded,
  );
  total(
    'smartlink_segment_missed_start_deadline_total',
    'Attempts not run because they reached the segment after their start deadline; answered failed and retried',
    () => stats.snapshot().missedStartDeadline,
  );
  total(
    'smartlink_segment_published_total',
    'Messages published for the cloud on <ns>.outbound',
    () => stats.snapshot().published,
  );
  registry.gauge({
    name: 'smartlink_segment_running_handlers',
    help: 'Handlers running right now',
    collect() {
      this.set(stats.snapshot().running);
    },
  });
  registerConsumerLag(registry, lag, members);
}
