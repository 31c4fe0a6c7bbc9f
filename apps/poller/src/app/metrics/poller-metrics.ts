import type { KafkaLease, LeaseState } from '@smartlink/messaging';
import { exposeCounters, type MetricsRegistry } from '@smartlink/metrics';
import type { Backpressure } from '../backlog/backpressure';
import type { PollerStatus } from '../poller-status';

const LEASE_STATES: readonly LeaseState[] = ['stopped', 'joining', 'active', 'standby'];

/**
 * The poller's Prometheus metrics: its counters (`PollerStatus`) as `smartlink_poller_<field>_total`, the lease
 * state (1 for the state it is in: `sum(smartlink_poller_lease_state{state="active"})` over replicas is the number of
 * lease holders), and the backlog that drives backpressure, reported by the lease holder only (a standby's reading is
 * from when it last held the lease).
 */
export function registerPollerMetrics(
  registry: MetricsRegistry,
  status: PollerStatus,
  lease: Pick<KafkaLease, 'state' | 'isHeld'>,
  backpressure: Pick<Backpressure, 'snapshot'>,
): void {
  exposeCounters(registry, () => status.snapshot(), {
    gets: m('gets', 'Get calls the cloud answered (empty or not)'),
    received: m('received', 'Messages appended to the received topic as received events'),
    refused: m('refused', 'Deliveries refused and dead-lettered'),
    acked: m('acked', 'Receipts the cloud confirmed acking'),
    cloudFailures: m('cloud_failures', 'Calls to the cloud that failed'),
    appendFailures: m(
      'append_failures',
      'Appends to the event log that failed (not acked; the cloud delivers again)',
    ),
    ackFailures: m('ack_failures', 'Acks that failed (the cloud delivers again; absorbed by message id)'),
    drains: m('drains', 'Drains of the cloud queue'),
  });
  registry.gauge({
    name: 'smartlink_poller_lease_state',
    help: 'The poller lease: 1 for the state this instance is in (active polls, standby waits to take over)',
    labelNames: ['state'],
    collect() {
      const current = lease.state();
      for (const state of LEASE_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  registry.sharedGauge({
    name: 'smartlink_poller_backlog_messages',
    help: 'Messages received and not yet done, as backpressure estimates them (the executor lag plus undone rows); the lease holder reports it',
    reporting: () => lease.isHeld(),
    collect() {
      const { backlog } = backpressure.snapshot();
      if (backlog !== null) this.set(backlog);
    },
  });
}

function m(field: string, help: string) {
  return { name: `smartlink_poller_${field}_total`, help };
}
