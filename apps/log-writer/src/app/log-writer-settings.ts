import {
  booleanSetting,
  numberSetting,
  parseHttpSettings,
  parseLifecycleSettings,
  type LifecycleSettings,
  parseSettings,
  SettingsError,
  type HttpSettings,
  type SettingsSource,
} from '@smartlink/common';
import { parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';
import { z } from 'zod';
import { LogWriterDefaults as D } from './log-writer.defaults';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_LOG_WRITER_HTTP_PORT = 8084;

/** How the consumer of `<ns>.logs` writes GTOTVSLINKLOG. */
export interface WriterSettings {
  /** Records handed to one insert, and committed, at a time. */
  readonly maxBatchSize: number;
  /** Partitions written at the same time. */
  readonly partitionsConsumedConcurrently: number;
  /** An insert without an answer for this long counts as failed. */
  readonly insertTimeoutMs: number;
  /** Wait before the first probe after a failed insert; doubles per failure in a row up to {@link retryMaxMs}. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

/** The retention purge of GTOTVSLINKMESSAGEEXEC and GTOTVSLINKLOG. */
export interface RetentionSettings {
  /** False: no purge, and this replica never joins the purger lease. */
  readonly enabled: boolean;
  /** Attempts that finished more than this many days ago are purged. */
  readonly execRetentionDays: number;
  /** Log records dated more than this many days ago are purged. */
  readonly logRetentionDays: number;
  readonly intervalMs: number;
  /** Rows per delete statement. */
  readonly chunkSize: number;
  /** Pause between two delete statements. */
  readonly chunkPauseMs: number;
}

/** Everything the log-writer needs, validated once at boot. */
export interface LogWriterSettings {
  readonly http: HttpSettings;
  /** The shutdown deadline (SHUTDOWN_DEADLINE_MS). */
  readonly lifecycle: LifecycleSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  readonly writer: WriterSettings;
  readonly retention: RetentionSettings;
}

const days = (fallback: number, what: string) =>
  numberSetting({ min: 1, max: 36_500, default: fallback }).describe(
    `days ${what} are kept before the purge removes them, 1-36500 (default ${fallback})`,
  );

const logWriterSchema = z.object({
  LOG_WRITER_BATCH_SIZE: numberSetting({ min: 1, max: 10_000, default: D.batchSize }).describe(
    `log records written and committed together, 1-10000 (default ${D.batchSize})`,
  ),
  LOG_WRITER_CONCURRENCY: numberSetting({
    min: 1,
    max: 100,
    default: D.partitionsConsumedConcurrently,
  }).describe('partitions of the logs topic written at the same time, 1-100'),
  LOG_WRITER_INSERT_TIMEOUT_MS: numberSetting({
    min: 100,
    max: 600_000,
    default: D.insertTimeoutMs,
  }).describe('milliseconds an insert may take before it counts as failed, 100-600000'),
  LOG_WRITER_RETRY_INITIAL_MS: numberSetting({ min: 10, max: 60_000, default: D.retryInitialMs }).describe(
    'milliseconds to wait after a failed insert before probing the database, 10-60000',
  ),
  LOG_WRITER_RETRY_MAX_MS: numberSetting({ min: 10, max: 600_000, default: D.retryMaxMs }).describe(
    'longest wait between probes of a database that is down, 10-600000, not below LOG_WRITER_RETRY_INITIAL_MS',
  ),
  RETENTION_PURGE_ENABLED: booleanSetting(true).describe('false to never purge from this replica'),
  EXEC_RETENTION_DAYS: days(D.execRetentionDays, 'finished attempts (GTOTVSLINKMESSAGEEXEC)'),
  LOG_RETENTION_DAYS: days(D.logRetentionDays, 'log records (GTOTVSLINKLOG)'),
  RETENTION_PURGE_INTERVAL_MS: numberSetting({
    min: 1_000,
    max: 7 * 86_400_000,
    default: D.purgeIntervalMs,
  }).describe('milliseconds between two purge runs, 1000-604800000 (default one hour)'),
  RETENTION_PURGE_CHUNK_SIZE: numberSetting({ min: 1, max: 50_000, default: D.purgeChunkSize }).describe(
    `rows deleted per statement, 1-50000 (default ${D.purgeChunkSize})`,
  ),
  RETENTION_PURGE_CHUNK_PAUSE_MS: numberSetting({
    min: 0,
    max: 60_000,
    default: D.purgeChunkPauseMs,
  }).describe(`milliseconds between two delete statements, 0-60000 (default ${D.purgeChunkPauseMs})`),
});

/** Reads and validates the log-writer's settings; a bad value throws a SettingsError that says how to fix it. */
export function loadLogWriterSettings(env: SettingsSource): LogWriterSettings {
  const s = parseSettings('log-writer', logWriterSchema, env);
  if (s.LOG_WRITER_RETRY_MAX_MS < s.LOG_WRITER_RETRY_INITIAL_MS) {
    throw new SettingsError('log-writer', [
      {
        key: 'LOG_WRITER_RETRY_MAX_MS',
        problem: 'is below LOG_WRITER_RETRY_INITIAL_MS',
        hint: 'raise it to at least LOG_WRITER_RETRY_INITIAL_MS',
      },
    ]);
  }
  return {
    http: parseHttpSettings('log-writer', env, DEFAULT_LOG_WRITER_HTTP_PORT),
    lifecycle: parseLifecycleSettings('log-writer', env),
    kafka: parseKafkaSettings(env),
    database: parseDatabaseSettings(env),
    writer: {
      maxBatchSize: s.LOG_WRITER_BATCH_SIZE,
      partitionsConsumedConcurrently: s.LOG_WRITER_CONCURRENCY,
      insertTimeoutMs: s.LOG_WRITER_INSERT_TIMEOUT_MS,
      retryInitialMs: s.LOG_WRITER_RETRY_INITIAL_MS,
      retryMaxMs: s.LOG_WRITER_RETRY_MAX_MS,
    },
    retention: {
      enabled: s.RETENTION_PURGE_ENABLED,
      execRetentionDays: s.EXEC_RETENTION_DAYS,
      logRetentionDays: s.LOG_RETENTION_DAYS,
      intervalMs: s.RETENTION_PURGE_INTERVAL_MS,
      chunkSize: s.RETENTION_PURGE_CHUNK_SIZE,
      chunkPauseMs: s.RETENTION_PURGE_CHUNK_PAUSE_MS,
    },
  };
}
