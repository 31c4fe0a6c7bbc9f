import {
  numberSetting,
  parseHttpSettings,
  parseLifecycleSettings,
  type LifecycleSettings,
  parseSettings,
  type HttpSettings,
  type SettingsSource,
} from '@smartlink/common';
import { parseSmartLinkSettings, type EnvelopeStyle, type SmartLinkSettings } from '@smartlink/contract';
import { DISPATCH_TIMEOUT, parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';
import { z } from 'zod';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_EXECUTOR_HTTP_PORT = 8082;

/** Tunable numbers of the executor's consumers, in one place; the `EXECUTOR_*` settings override them. */
export const EXECUTOR_DEFAULTS = {
  /**
   * Records of `<ns>.received` and `<ns>.events` handled (and committed) together: one insert, one publish and one
   * status update per chunk instead of per message. Large enough to amortise the round trips, small enough that a
   * chunk finishes well within the consumer session timeout.
   */
  eventsBatchSize: 500,
  /** Outcomes handled together: one history insert and one update/delete per chunk. */
  outcomesBatchSize: 500,
  /**
   * Partitions of one topic handled at the same time: all 6 of the default layout. Handlers wait on the database and
   * the broker most of the time, so chunks in flight keep both busy, and a partition waiting for another's chunk adds
   * its wait to every message in it (at 1,000 msg/s, 3 at a time put p99 from cloud to handler at ~1.3 s, 6 at
   * ~0.5 s). With more replicas each has fewer partitions, and the unused concurrency costs nothing.
   */
  partitionsConsumedConcurrently: 6,
  /**
   * Outbound messages handled (and committed) together. Smaller than the other chunks: each message costs a call to
   * the cloud, and a chunk holds its partition until every send of it has ended.
   */
  outboundBatchSize: 100,
  /**
   * Sends to the cloud in flight at once in this process. The link API takes one message per call, so concurrency is
   * what makes upstream fast; bounded so a burst does not open hundreds of connections to the cloud.
   */
  sendConcurrency: 16,
  /**
   * The longest a send waits for the cloud's Retry-After (429, 503) to pass before it goes anyway; a longer wait would
   * hold the chunk's partition, and a message refused again is retried by the retry scheduler at the cloud's time.
   */
  maxSendPauseMs: 30_000,
  /**
   * On SIGTERM, how long sends already started or queued in the chunk in flight may still finish; what is not finished
   * then is handed back uncommitted. Well under the 20 s Kubernetes gives, leaving room to record what finished.
   */
  shutdownGraceMs: 10_000,
  /**
   * The envelope style of sends: TOTVS ("Padrão Totvs", `{header, content}`), the only send body seen in TOTVS' own
   * code (docs/smartlink-rest-contract.md §4.4). CloudEvents by `EXECUTOR_ENVELOPE=cloudevents`.
   */
  envelope: 'totvs',
  /** CloudEvents `source` of what this client sends (CloudEvents style only). */
  envelopeSource: 'smartlink-client',
} as const;

/** How one of the executor's consumers takes its records. */
export interface ExecutorConsumerSettings {
  /** Records handed to the handler, and committed, at a time. */
  readonly maxBatchSize: number;
  /** Partitions handled at the same time. */
  readonly partitionsConsumedConcurrently: number;
}

/** How the executor sends upstream messages to the cloud. */
export interface UpstreamSettings {
  /** The consumer of `<ns>.outbound`, which stores what segments publish and sends it. */
  readonly outbound: ExecutorConsumerSettings;
  /** Sends in flight at once. */
  readonly sendConcurrency: number;
  /** Longest wait for a Retry-After to pass before a send goes anyway. */
  readonly maxSendPauseMs: number;
  /** On shutdown, how long the sends of the chunk in flight may still finish. */
  readonly shutdownGraceMs: number;
  /** Envelope style of the body sent: `totvs` ("Padrão Totvs", the default) or `cloudevents`. */
  readonly envelope: EnvelopeStyle;
  /** CloudEvents `source` attribute; unused in the TOTVS style. */
  readonly envelopeSource: string;
}

/** Everything the executor needs, validated once at boot. */
export interface ExecutorSettings {
  readonly http: HttpSettings;
  /** The shutdown deadline (SHUTDOWN_DEADLINE_MS). */
  readonly lifecycle: LifecycleSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  /** The Smart Link cloud: RAC token and link API (for upstream sends). */
  readonly smartlink: SmartLinkSettings;
  /**
   * The consumer of `<ns>.received` and `<ns>.events`, which projects received messages and dispatches them to the
   * segments, and runs due retries.
   */
  readonly events: ExecutorConsumerSettings;
  /** The consumer of `<ns>.outcomes`, which records each attempt and applies its effect. */
  readonly outcomes: ExecutorConsumerSettings;
  readonly upstream: UpstreamSettings;
  /**
   * The retry scheduler's dispatch timeout (DISPATCH_TIMEOUT_MS, the same value for both): each command record carries
   * its start deadline, half of it after the dispatch, past which the segment does not start it.
   */
  readonly dispatchTimeoutMs: number;
}

const batchSize = (fallback: number, what: string) =>
  numberSetting({ min: 1, max: 10_000, default: fallback }).describe(
    `${what} handled and committed together, 1-10000`,
  );
const concurrency = (what: string) =>
  numberSetting({ min: 1, max: 100, default: EXECUTOR_DEFAULTS.partitionsConsumedConcurrently }).describe(
    `partitions of ${what} handled at the same time, 1-100`,
  );

const executorSchema = z.object({
  EXECUTOR_EVENTS_BATCH_SIZE: batchSize(EXECUTOR_DEFAULTS.eventsBatchSize, 'records of the event log'),
  EXECUTOR_EVENTS_CONCURRENCY: concurrency('the event log'),
  EXECUTOR_OUTCOMES_BATCH_SIZE: batchSize(EXECUTOR_DEFAULTS.outcomesBatchSize, 'outcomes'),
  EXECUTOR_OUTCOMES_CONCURRENCY: concurrency('the outcomes topic'),
  EXECUTOR_OUTBOUND_BATCH_SIZE: batchSize(EXECUTOR_DEFAULTS.outboundBatchSize, 'outbound messages'),
  EXECUTOR_OUTBOUND_CONCURRENCY: concurrency('the outbound topic'),
  EXECUTOR_SEND_CONCURRENCY: numberSetting({
    min: 1,
    max: 256,
    default: EXECUTOR_DEFAULTS.sendConcurrency,
  }).describe('sends to the cloud in flight at once, 1-256'),
  EXECUTOR_SEND_PAUSE_MAX_MS: numberSetting({
    min: 0,
    max: 600_000,
    default: EXECUTOR_DEFAULTS.maxSendPauseMs,
  }).describe("milliseconds a send waits at most for the cloud's Retry-After, 0-600000"),
  EXECUTOR_SHUTDOWN_GRACE_MS: numberSetting({
    min: 0,
    max: 60_000,
    default: EXECUTOR_DEFAULTS.shutdownGraceMs,
  }).describe('milliseconds the sends in flight may still finish on shutdown, 0-60000'),
  EXECUTOR_ENVELOPE: z
    .preprocess(
      (v) => (v === '' || v === undefined ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v),
      z.enum(['totvs', 'cloudevents']).default(EXECUTOR_DEFAULTS.envelope),
    )
    .describe('envelope style of sends: totvs (default) or cloudevents'),
  DISPATCH_TIMEOUT_MS: numberSetting(DISPATCH_TIMEOUT).describe(
    `the retry scheduler's dispatch timeout (give both services the same value): commands carry a start deadline ` +
      `half of it after their dispatch, ${DISPATCH_TIMEOUT.min}-${DISPATCH_TIMEOUT.max} ms`,
  ),
  EXECUTOR_ENVELOPE_SOURCE: z
    .preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().trim().min(1).max(512).default(EXECUTOR_DEFAULTS.envelopeSource),
    )
    .describe('CloudEvents source of sends (cloudevents style only), 1-512 characters'),
});

/** Reads and validates the executor's settings; a bad value throws a SettingsError that says how to fix it. */
export function loadExecutorSettings(env: SettingsSource): ExecutorSettings {
  const executor = parseSettings('executor', executorSchema, env);
  return {
    http: parseHttpSettings('executor', env, DEFAULT_EXECUTOR_HTTP_PORT),
    lifecycle: parseLifecycleSettings('executor', env),
    kafka: parseKafkaSettings(env),
    database: parseDatabaseSettings(env),
    smartlink: parseSmartLinkSettings(env),
    events: {
      maxBatchSize: executor.EXECUTOR_EVENTS_BATCH_SIZE,
      partitionsConsumedConcurrently: executor.EXECUTOR_EVENTS_CONCURRENCY,
    },
    outcomes: {
      maxBatchSize: executor.EXECUTOR_OUTCOMES_BATCH_SIZE,
      partitionsConsumedConcurrently: executor.EXECUTOR_OUTCOMES_CONCURRENCY,
    },
    upstream: {
      outbound: {
        maxBatchSize: executor.EXECUTOR_OUTBOUND_BATCH_SIZE,
        partitionsConsumedConcurrently: executor.EXECUTOR_OUTBOUND_CONCURRENCY,
      },
      sendConcurrency: executor.EXECUTOR_SEND_CONCURRENCY,
      maxSendPauseMs: executor.EXECUTOR_SEND_PAUSE_MAX_MS,
      shutdownGraceMs: executor.EXECUTOR_SHUTDOWN_GRACE_MS,
      envelope: executor.EXECUTOR_ENVELOPE,
      envelopeSource: executor.EXECUTOR_ENVELOPE_SOURCE,
    },
    dispatchTimeoutMs: executor.DISPATCH_TIMEOUT_MS,
  };
}
