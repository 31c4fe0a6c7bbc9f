import { DEFAULT_LEASE_SESSION_TIMEOUT_MS } from '@smartlink/messaging';

/** The poller's numbers, in one place. Those an operator may change are settings (poller-settings.ts). */
export const PollerDefaults = {
  /** RM's job runs once a minute; so does the poller unless told otherwise (POLL_INTERVAL_MS). */
  pollIntervalMs: 60_000,
  /** Continuous mode: how long to wait before asking an empty queue again (POLL_IDLE_DELAY_MS). */
  pollIdleDelayMs: 500,
  /**
   * Continuous mode: the first wait after a drain that took messages; it doubles with every drain in a row that
   * finds the queue empty, up to POLL_IDLE_DELAY_MS. A queue that just had traffic is asked again soon (a message
   * arriving then waits ~25 ms, not half a second); an idle one settles at the idle delay within a few gets.
   */
  pollFirstIdleDelayMs: 25,
  /** Undone messages (table rows + executor lag) at which the poller stops fetching (BACKLOG_HIGH_WATER). */
  backlogHighWater: 10_000,
  /** LEASE_SESSION_TIMEOUT_MS: a dead active poller is replaced about this long after its last heartbeat. */
  leaseSessionTimeoutMs: DEFAULT_LEASE_SESSION_TIMEOUT_MS,
  /**
   * How old a backlog reading may get before it is read again (a table count and a lag query). In between, what
   * the poller appended since is added to it, so the estimate never undercounts.
   */
  backlogRefreshMs: 1_000,
  /** First delay after a failed setup, get or append; doubles per consecutive failure. */
  retryInitialMs: 1_000,
  /** Longest delay between attempts after repeated failures. */
  retryMaxMs: 30_000,
  /**
   * Shutdown waits this long for the batch in hand (get, append, ack) before closing the connections under it,
   * inside Kubernetes' 20 s grace. A batch cut short is not acked: the cloud hands it out again.
   */
  shutdownGraceMs: 12_000,
  /**
   * Largest record the poller produces, below Kafka's default `message.max.bytes` (1,048,588) with room for the
   * batch framing. A message whose event would be larger is dead-lettered instead of blocking its batch forever.
   */
  maxRecordBytes: 1_000_000,
  /**
   * Kafka refuses a partition's record batch above `message.max.bytes`, and kafkajs sends everything one call
   * gives it for a partition as one batch; so one call carries at most this many bytes.
   */
  maxSendBytes: 900_000,
} as const;
