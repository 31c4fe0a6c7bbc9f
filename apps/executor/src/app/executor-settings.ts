import {
  numberSetting,
  parseHttpSettings,
  parseSettings,
  type HttpSettings,
  type SettingsSource,
} from '@smartlink/common';
import { parseSmartLinkSettings, type SmartLinkSettings } from '@smartlink/contract';
import { parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';
import { z } from 'zod';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_EXECUTOR_HTTP_PORT = 8082;

/** Tunable numbers of the executor's consumers, in one place; the `EXECUTOR_*` settings override them. */
export const EXECUTOR_DEFAULTS = {
  /**
   * Records of `<ns>.events` handled (and committed) together: one insert, one publish and one status update per
   * chunk instead of per message. Large enough to amortise the round trips, small enough that a chunk finishes well
   * within the consumer session timeout.
   */
  eventsBatchSize: 500,
  /** Outcomes handled together: one history insert and one update/delete per chunk. */
  outcomesBatchSize: 500,
  /**
   * Partitions of one topic handled at the same time. Handlers wait on the database and the broker most of the
   * time, so a few chunks in flight keep both busy; 3 of the default 6 partitions leaves room for a second replica.
   */
  partitionsConsumedConcurrently: 3,
} as const;

/** How one of the executor's consumers takes its records. */
export interface ExecutorConsumerSettings {
  /** Records handed to the handler, and committed, at a time. */
  readonly maxBatchSize: number;
  /** Partitions handled at the same time. */
  readonly partitionsConsumedConcurrently: number;
}

/** Everything the executor needs, validated once at boot. */
export interface ExecutorSettings {
  readonly http: HttpSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  /** The Smart Link cloud: RAC token and link API (for upstream sends). */
  readonly smartlink: SmartLinkSettings;
  /** The consumer of `<ns>.events`, which projects received messages and dispatches them to the segments. */
  readonly events: ExecutorConsumerSettings;
  /** The consumer of `<ns>.outcomes`, which records each attempt and applies its effect. */
  readonly outcomes: ExecutorConsumerSettings;
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
});

/** Reads and validates the executor's settings; a bad value throws a SettingsError that says how to fix it. */
export function loadExecutorSettings(env: SettingsSource): ExecutorSettings {
  const executor = parseSettings('executor', executorSchema, env);
  return {
    http: parseHttpSettings('executor', env, DEFAULT_EXECUTOR_HTTP_PORT),
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
  };
}
