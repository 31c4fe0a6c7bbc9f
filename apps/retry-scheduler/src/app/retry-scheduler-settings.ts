import {
  SecretValue,
  numberSetting,
  parseHttpSettings,
  parseLifecycleSettings,
  type LifecycleSettings,
  parseSettings,
  type HttpSettings,
  type SettingsSource,
} from '@smartlink/common';
import { DISPATCH_TIMEOUT, parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseRetryPolicySettings, type RetryPolicySettings } from '@smartlink/retry-policy';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';
import { z } from 'zod';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_RETRY_SCHEDULER_HTTP_PORT = 8083;

/** Tunable numbers of the retry scheduler, in one place; the settings named beside each override them. */
export const RETRY_SCHEDULER_DEFAULTS = {
  /**
   * `RETRY_POLL_INTERVAL_MS`: how often due retries are claimed. A retry is dispatched at most this much (plus one
   * claim and one publish) after it falls due; 200 ms keeps p99 lateness well under the 1 s bar at a few cheap
   * indexed queries per second.
   */
  pollIntervalMs: 200,
  /** `RETRY_CLAIM_BATCH_SIZE`: rows taken per claim; a full batch is followed by another claim at once. */
  claimBatchSize: 500,
  /**
   * `DISPATCH_TIMEOUT_MS`: a message dispatched this long ago without an outcome counts as a failed attempt. Longer
   * than a segment's handler timeout (30 s by default) plus the time a busy segment's queue may hold it. The executor
   * reads the same setting to stamp each command with its start deadline (half of it after the dispatch): give both
   * services the same value.
   */
  dispatchTimeoutMs: DISPATCH_TIMEOUT.default,
  /** `RETRY_SWEEP_INTERVAL_MS`: how often timed-out dispatches and unplanned failures are looked for. */
  sweepIntervalMs: 5_000,
  /**
   * `RETRY_UNPLANNED_GRACE_MS`: a failure still unplanned this long after it was recorded lost its `failed` event
   * (a crash between recording and announcing it); the sweep announces it again. Normally planning takes milliseconds.
   */
  unplannedGraceMs: 60_000,
  /** `RETRY_EVENTS_BATCH_SIZE`: records of `<ns>.events` handled and committed together. */
  eventsBatchSize: 500,
  /** `RETRY_EVENTS_CONCURRENCY`: partitions of `<ns>.events` handled at the same time. */
  eventsConcurrency: 3,
  /** `REDRIVE_RATE_PER_SECOND`: redriven messages fall due at most this many per second, per redrive request. */
  redriveRatePerSecond: 50,
  /** `REDRIVE_MAX_PER_REQUEST`: the most messages one redrive request (HTTP or CLI) puts back. */
  redriveMaxPerRequest: 10_000,
  /** After a loop tick fails, the next waits this long, doubling up to {@link loopMaxBackoffMs}. */
  loopBackoffMs: 500,
  loopMaxBackoffMs: 10_000,
} as const;

/** How the due loop and the sweep run. */
export interface RetryLoopSettings {
  readonly pollIntervalMs: number;
  readonly claimBatchSize: number;
  readonly dispatchTimeoutMs: number;
  readonly sweepIntervalMs: number;
  readonly unplannedGraceMs: number;
}

/** How redrive requests run, whoever asks (POST /redrive or the redrive CLI). */
export interface RedriveSettings {
  readonly ratePerSecond: number;
  readonly maxPerRequest: number;
}

/** How POST /redrive runs: the redrive settings and the bearer token every request must present. */
export interface RedriveHttpSettings extends RedriveSettings {
  /** `REDRIVE_HTTP_TOKEN`: POST /redrive wants `Authorization: Bearer <token>`. */
  readonly httpToken: SecretValue;
}

/** Everything the retry-scheduler needs, validated once at boot. */
export interface RetrySchedulerSettings {
  readonly http: HttpSettings;
  /** The shutdown deadline (SHUTDOWN_DEADLINE_MS). */
  readonly lifecycle: LifecycleSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  readonly policy: RetryPolicySettings;
  readonly loops: RetryLoopSettings;
  /** The consumer of `<ns>.events` (failed and fatal attempts). */
  readonly events: { readonly maxBatchSize: number; readonly partitionsConsumedConcurrently: number };
  readonly redrive: RedriveHttpSettings;
}

/** What the redrive CLI needs: it opens the tables and Kafka itself and never serves HTTP. */
export interface RedriveCliSettings {
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  readonly redrive: RedriveSettings;
}

const D = RETRY_SCHEDULER_DEFAULTS;
const ms = (fallback: number, min: number, max: number, what: string) =>
  numberSetting({ min, max, default: fallback }).describe(`${what}, ${min}-${max} ms`);

const redriveSchema = z.object({
  REDRIVE_RATE_PER_SECOND: numberSetting({ min: 1, max: 100_000, default: D.redriveRatePerSecond }).describe(
    'redriven messages falling due per second, 1-100000',
  ),
  REDRIVE_MAX_PER_REQUEST: numberSetting({
    min: 1,
    max: 1_000_000,
    default: D.redriveMaxPerRequest,
  }).describe('the most messages one redrive puts back, 1-1000000'),
});

const schedulerSchema = z.object({
  RETRY_POLL_INTERVAL_MS: ms(D.pollIntervalMs, 10, 60_000, 'how often due retries are claimed'),
  RETRY_CLAIM_BATCH_SIZE: numberSetting({ min: 1, max: 10_000, default: D.claimBatchSize }).describe(
    'rows taken per claim, 1-10000',
  ),
  DISPATCH_TIMEOUT_MS: ms(
    D.dispatchTimeoutMs,
    DISPATCH_TIMEOUT.min,
    DISPATCH_TIMEOUT.max,
    'how long a dispatched message may go without an outcome before the attempt counts as failed',
  ),
  RETRY_SWEEP_INTERVAL_MS: ms(
    D.sweepIntervalMs,
    100,
    3_600_000,
    'how often timed-out dispatches are looked for',
  ),
  RETRY_UNPLANNED_GRACE_MS: ms(
    D.unplannedGraceMs,
    1_000,
    86_400_000,
    'how long a recorded failure may stay unplanned before it is announced again',
  ),
  RETRY_EVENTS_BATCH_SIZE: numberSetting({ min: 1, max: 10_000, default: D.eventsBatchSize }).describe(
    'records of the event log handled and committed together, 1-10000',
  ),
  RETRY_EVENTS_CONCURRENCY: numberSetting({ min: 1, max: 100, default: D.eventsConcurrency }).describe(
    'partitions of the event log handled at the same time, 1-100',
  ),
  // Required: an unset token would leave POST /redrive open to anyone who reaches the port.
  REDRIVE_HTTP_TOKEN: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.string().min(16, 'too short'),
    )
    .describe('a bearer token of at least 16 characters for POST /redrive, e.g. from openssl rand -hex 32'),
});

/** Reads and validates the retry-scheduler's settings; a bad value throws a SettingsError that says how to fix it. */
export function loadRetrySchedulerSettings(env: SettingsSource): RetrySchedulerSettings {
  const s = parseSettings('retry-scheduler', schedulerSchema, env);
  return {
    http: parseHttpSettings('retry-scheduler', env, DEFAULT_RETRY_SCHEDULER_HTTP_PORT),
    lifecycle: parseLifecycleSettings('retry-scheduler', env),
    kafka: parseKafkaSettings(env),
    database: parseDatabaseSettings(env),
    policy: parseRetryPolicySettings(env),
    loops: {
      pollIntervalMs: s.RETRY_POLL_INTERVAL_MS,
      claimBatchSize: s.RETRY_CLAIM_BATCH_SIZE,
      dispatchTimeoutMs: s.DISPATCH_TIMEOUT_MS,
      sweepIntervalMs: s.RETRY_SWEEP_INTERVAL_MS,
      unplannedGraceMs: s.RETRY_UNPLANNED_GRACE_MS,
    },
    events: {
      maxBatchSize: s.RETRY_EVENTS_BATCH_SIZE,
      partitionsConsumedConcurrently: s.RETRY_EVENTS_CONCURRENCY,
    },
    redrive: { ...parseRedriveSettings(env), httpToken: new SecretValue(s.REDRIVE_HTTP_TOKEN) },
  };
}

/** Reads and validates what the redrive CLI needs; a bad value throws a SettingsError that says how to fix it. */
export function loadRedriveCliSettings(env: SettingsSource): RedriveCliSettings {
  return {
    kafka: parseKafkaSettings(env),
    database: parseDatabaseSettings(env),
    redrive: parseRedriveSettings(env),
  };
}

function parseRedriveSettings(env: SettingsSource): RedriveSettings {
  const s = parseSettings('redrive', redriveSchema, env);
  return { ratePerSecond: s.REDRIVE_RATE_PER_SECOND, maxPerRequest: s.REDRIVE_MAX_PER_REQUEST };
}
