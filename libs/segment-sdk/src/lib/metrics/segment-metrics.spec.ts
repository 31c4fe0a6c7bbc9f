import { MetricsRegistry } from '@smartlink/metrics';
import { SegmentStats } from '../stats/segment-stats';
import { registerSegmentMetrics } from './segment-metrics';

describe('registerSegmentMetrics', () => {
  it('shows the attempts handled by command and outcome, the other counters, and the lag of its partitions', async () => {
    const registry = new MetricsRegistry({ service: 'segment:hr', defaultMetrics: false });
    const stats = new SegmentStats('hr');
    registerSegmentMetrics(
      registry,
      stats,
      {
        read: async (groupId, topic) => ({
          groupId,
          topic,
          total: 10,
          partitions: [
            { partition: 0, latest: '7', committed: null, lag: 7 },
            { partition: 1, latest: '3', committed: null, lag: 3 },
          ],
        }),
      },
      () => [{ groupId: 'ns.segment.hr', assignment: () => [{ topic: 'ns.cmd.DemoPing', partitions: [0] }] }],
    );
    stats.recordHandled('DemoPing', 'succeeded');
    stats.recordHandled('DemoPing', 'succeeded');
    stats.recordHandled('DemoPing', 'fatal');
    stats.recordDuplicate();

    await expect(
      registry.value('smartlink_segment_handled_total', { command: 'DemoPing', outcome: 'succeeded' }),
    ).resolves.toBe(2);
    await expect(
      registry.value('smartlink_segment_handled_total', { command: 'DemoPing', outcome: 'fatal' }),
    ).resolves.toBe(1);
    await expect(registry.value('smartlink_segment_duplicates_absorbed_total')).resolves.toBe(1);
    await expect(
      registry.value('smartlink_consumer_lag_messages', { group: 'ns.segment.hr', topic: 'ns.cmd.DemoPing' }),
    ).resolves.toBe(7);
  });
});
