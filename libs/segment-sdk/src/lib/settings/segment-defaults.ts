/**
 * Defaults and bounds of the segment settings, in one place. The env variables (`parseSegmentSettings`) and the
 * options of `SegmentModule.forRoot` share them.
 */
export const SegmentDefaults = {
  /** Longest a handler may run before its attempt counts as failed. */
  handlerTimeoutMs: 30_000,
  /** Handlers running at once in this instance, over all commands and partitions. */
  concurrency: 16,
  /**
   * Records admitted ahead of a free handler slot (started marker durable, offset committed), so that the next start
   * does not wait for a round trip to Kafka: 0 starts records only on free slots. A process that dies charges each of
   * them an attempt, as it charges the handlers running beside them. The pace of the handlers lowers it further.
   */
  lookahead: 64,
  /** Messages handed over per chunk; each chunk's outcomes go out in one send and commit together. */
  maxBatchSize: 500,
  /** Finished (message id, attempt) pairs remembered to absorb redeliveries. */
  dedupCapacity: 10_000,
  /**
   * How long a shutdown waits for handlers in flight. Under the 20 s Kubernetes gives a pod between SIGTERM and
   * SIGKILL, leaving room to publish the outcomes and leave the group.
   */
  shutdownGraceMs: 15_000,
  /**
   * Largest `data` of a published message, in UTF-8 bytes. Above the 250-350 KB the cloud recommends per message,
   * and far enough under Kafka's default 1 MB record limit that the outbound record, JSON-escaped, still fits.
   */
  maxPublishBytes: 512 * 1024,
  /**
   * Added to the handler timeout in a started marker's outcome due time: how long the outcome of an attempt may take
   * to reach the executor once the handler ended (an outbox send retried through a broker hiccup).
   */
  outcomeMarginMs: 15_000,
} as const;

/** Inclusive bounds of each numeric setting. */
export const SegmentLimits = {
  // Above 5 minutes a handler holds up every rebalance of the group; such work belongs in a job of its own.
  handlerTimeoutMs: { min: 100, max: 300_000 },
  concurrency: { min: 1, max: 1_000 },
  lookahead: { min: 0, max: 1_000 },
  maxBatchSize: { min: 1, max: 10_000 },
  dedupCapacity: { min: 0, max: 1_000_000 },
  shutdownGraceMs: { min: 0, max: 600_000 },
  maxPublishBytes: { min: 1_024, max: 64 * 1024 * 1024 },
  outcomeMarginMs: { min: 1_000, max: 600_000 },
} as const;

/** A segment name becomes part of a consumer group (`<ns>.segment.<name>`) and of a log source (`segment:<name>`). */
export const MAX_SEGMENT_NAME_LENGTH = 64;
export const SEGMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
