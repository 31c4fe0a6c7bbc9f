import { MetricsRegistry } from '@smartlink/metrics';
import type { LeaseState } from '@smartlink/messaging';
import { PollerStatus } from '../poller-status';
import { registerPollerMetrics } from './poller-metrics';

describe('registerPollerMetrics', () => {
  it('shows the poller counters, the lease state it is in, and the backlog while it holds the lease', async () => {
    const registry = new MetricsRegistry({ service: 'poller', defaultMetrics: false });
    const status = new PollerStatus();
    let state: LeaseState = 'standby';
    registerPollerMetrics(
      registry,
      status,
      { state: () => state, isHeld: () => state === 'active' },
      {
        snapshot: () => ({ backlog: 12, engaged: false, highWater: 100 }),
      },
    );
    status.count({ received: 3, acked: 3 });

    await expect(registry.value('smartlink_poller_received_total')).resolves.toBe(3);
    await expect(registry.value('smartlink_poller_lease_state', { state: 'standby' })).resolves.toBe(1);
    await expect(registry.value('smartlink_poller_lease_state', { state: 'active' })).resolves.toBe(0);
    // A standby's backlog reading dates from when it last held the lease: it reports none.
    await expect(registry.value('smartlink_poller_backlog_messages')).resolves.toBeUndefined();
    state = 'active';
    await expect(registry.value('smartlink_poller_lease_state', { state: 'active' })).resolves.toBe(1);
    await expect(registry.value('smartlink_poller_backlog_messages')).resolves.toBe(12);
  });
});
