import { IllegalLeaseNameError } from './illegal-lease-name-error';

const LEASE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

/**
 * `<namespace>.<name>.lease`: the name of both the consumer group and the one-partition topic of a lease, e.g.
 * `smartlink.poller.lease`. The namespace keeps installations that share a cluster apart.
 * @throws IllegalLeaseNameError when `name` cannot be part of a topic name.
 */
export function leaseGroupName(namespace: string, name: string): string {
  if (!LEASE_NAME.test(name)) throw new IllegalLeaseNameError(name);
  return `${namespace}.${name}.lease`;
}

/** Timing of a lease member, derived from its session timeout. */
export interface LeaseTiming {
  readonly sessionTimeoutMs: number;
  /** Ten beats per session: a holder misses several before it fences itself at half the session. */
  readonly heartbeatIntervalMs: number;
  /** How long an idle member waits between heartbeats' fetches; no longer than the heartbeat interval. */
  readonly maxWaitTimeMs: number;
  /**
   * How long the coordinator waits for members to rejoin during a rebalance. A live member rejoins within a
   * heartbeat or two; one silent for a whole session is not waited for, so it cannot hold a hand-over up.
   */
  readonly rebalanceTimeoutMs: number;
}

export function leaseTiming(sessionTimeoutMs: number): LeaseTiming {
  const heartbeatIntervalMs = Math.max(100, Math.round(sessionTimeoutMs / 10));
  return {
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxWaitTimeMs: heartbeatIntervalMs,
    rebalanceTimeoutMs: sessionTimeoutMs,
  };
}
