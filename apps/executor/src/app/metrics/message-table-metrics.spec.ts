import { MetricsRegistry } from '@smartlink/metrics';
import { MessageDirection, MessageStatus, type MessageCount } from '@smartlink/rm-tables';
import { registerMessageTableMetrics } from './message-table-metrics';

const NOW = Date.parse('2026-11-28T10:00:10.000Z');

const TABLE: MessageCount[] = [
  {
    direction: MessageDirection.Downstream,
    command: 'DemoPing',
    status: MessageStatus.WaitingRetry,
    count: 3,
    oldestCreatedAt: new Date(NOW - 42_000),
  },
  {
    direction: MessageDirection.Upstream,
    command: 'DemoPong',
    status: MessageStatus.Pending,
    count: 2,
    oldestCreatedAt: new Date(NOW - 7_000),
  },
  {
    direction: MessageDirection.Downstream,
    command: 'DemoPing',
    status: MessageStatus.Dead,
    count: 1,
    oldestCreatedAt: new Date(NOW - 999_000),
  },
];

/** One executor replica over the shared table; `leads` says whether it leads the event-log group. */
function replica(leads: () => boolean) {
  const registry = new MetricsRegistry({ service: 'executor', defaultMetrics: false });
  let reads = 0;
  const table = {
    countByCommand: async () => {
      reads += 1;
      return TABLE;
    },
  };
  registerMessageTableMetrics(registry, table, leads, () => NOW);
  return { registry, reads: () => reads };
}

describe('registerMessageTableMetrics', () => {
  it('reads the messages not done by command, direction and status, and the age of the oldest one not dead', async () => {
    const { registry } = replica(() => true);
    await expect(
      registry.value('smartlink_pending_messages', {
        command: 'DemoPing',
        direction: 'downstream',
        status: 'waiting-retry',
      }),
    ).resolves.toBe(3);
    await expect(
      registry.value('smartlink_pending_messages', {
        command: 'DemoPong',
        direction: 'upstream',
        status: 'pending',
      }),
    ).resolves.toBe(2);
    await expect(registry.value('smartlink_pending_messages', { status: 'dead' })).resolves.toBe(1);
    await expect(registry.value('smartlink_oldest_pending_message_age_seconds')).resolves.toBe(42);
  });

  describe('when two executors run', () => {
    it('is reported by the leader of the event-log group only, so the sum over replicas is the table', async () => {
      let leader = 0;
      const replicas = [replica(() => leader === 0), replica(() => leader === 1)];
      const sum = async (name: string, labels: Record<string, string> = {}) => {
        const values = await Promise.all(replicas.map(({ registry }) => registry.value(name, labels)));
        return {
          reporting: values.filter((v) => v !== undefined).length,
          sum: values.reduce<number>((a, v) => a + (v ?? 0), 0),
        };
      };

      await expect(sum('smartlink_pending_messages', { status: 'waiting-retry' })).resolves.toEqual({
        reporting: 1,
        sum: 3,
      });
      await expect(sum('smartlink_oldest_pending_message_age_seconds')).resolves.toEqual({
        reporting: 1,
        sum: 42,
      });
      expect(replicas[1]?.reads()).toBe(0);

      leader = 1; // a rebalance made the other replica the leader
      await expect(sum('smartlink_pending_messages', { status: 'pending' })).resolves.toEqual({
        reporting: 1,
        sum: 2,
      });
      await expect(
        replicas[0]?.registry.value('smartlink_oldest_pending_message_age_seconds'),
      ).resolves.toBeUndefined();
    });
  });

  it('reports an age of 0 when no message waits', async () => {
    const registry = new MetricsRegistry({ service: 'executor', defaultMetrics: false });
    registerMessageTableMetrics(
      registry,
      { countByCommand: async () => [] },
      () => true,
      () => NOW,
    );
    await expect(registry.value('smartlink_oldest_pending_message_age_seconds')).resolves.toBe(0);
  });
});
