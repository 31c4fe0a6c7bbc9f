import {
  booleanSetting,
  numberSetting,
  parseHttpSettings,
  parseLifecycleSettings,
  type LifecycleSettings,
  parseSettings,
  SettingsError,
  type HttpSettings,
  type SettingProblem,
  type SettingsSource,
} from '@smartlink/common';
import {
  MAX_GET_BATCH,
  MAX_SETUP_SUBSCRIPTIONS,
  parseCommandName,
  parseSmartLinkSettings,
  type SmartLinkSettings,
} from '@smartlink/contract';
import { parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';
import { z } from 'zod';
import { PollerDefaults as D } from './poller.defaults';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_POLLER_HTTP_PORT = 8081;

/** How the poller drains the cloud queue. */
export interface PollSettings {
  /** The commands set up on the tenant queue (SMARTLINK_SUBSCRIPTIONS): the complete list, in order, no repeats. */
  readonly subscriptions: readonly string[];
  /** Interval mode: a drain every this many milliseconds. */
  readonly intervalMs: number;
  /** Continuous mode: drain, and when the queue is empty ask again after {@link idleDelayMs}. */
  readonly continuous: boolean;
  readonly idleDelayMs: number;
  /** Messages asked for per get. */
  readonly batchSize: number;
  /** Undone messages at which fetching stops until the backlog drops below it again. */
  readonly backlogHighWater: number;
  readonly leaseSessionTimeoutMs: number;
}

/** Everything the poller needs, validated once at boot. */
export interface PollerSettings {
  readonly http: HttpSettings;
  /** The shutdown deadline (SHUTDOWN_DEADLINE_MS). */
  readonly lifecycle: LifecycleSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  /** The Smart Link cloud: RAC token and link API. */
  readonly smartlink: SmartLinkSettings;
  readonly poll: PollSettings;
}

const unset = (value: unknown) => (value === '' ? undefined : value);

const subscriptionList = z
  .string({ error: 'required' })
  .transform((text) => [
    ...new Set(
      text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    ),
  ])
  .superRefine((names, ctx) => {
    if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'no command given' });
    if (names.length > MAX_SETUP_SUBSCRIPTIONS) {
      ctx.addIssue({
        code: 'custom',
        message: `${names.length} commands, at most ${MAX_SETUP_SUBSCRIPTIONS}`,
      });
    }
    for (const name of names) {
      try {
        parseCommandName(name);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }
  });

/** The poller's own settings; the Kafka, database and Smart Link ones come from their libs. */
export const pollSettingsSchema = z.object({
  SMARTLINK_SUBSCRIPTIONS: subscriptionList.describe(
    'comma-separated command names the tenant queue subscribes to, e.g. HrEmployeeUpdated,FinTitlePaid',
  ),
  POLL_INTERVAL_MS: numberSetting({ min: 100, max: 3_600_000, default: D.pollIntervalMs }).describe(
    'milliseconds between drains of the cloud queue, 100-3600000 (RM: 60000)',
  ),
  POLL_CONTINUOUS: booleanSetting(false).describe(
    'true to keep draining while the queue has messages and ask again every POLL_IDLE_DELAY_MS when it is empty',
  ),
  POLL_IDLE_DELAY_MS: numberSetting({ min: 10, max: 60_000, default: D.pollIdleDelayMs }).describe(
    'milliseconds to wait on an empty queue in continuous mode, 10-60000',
  ),
  POLL_BATCH_SIZE: z
    .preprocess(unset, z.coerce.number().int().min(1).max(MAX_GET_BATCH).optional())
    .describe(`messages per get, 1-${MAX_GET_BATCH}; default SMARTLINK_GET_BATCH_SIZE`),
  BACKLOG_HIGH_WATER: numberSetting({ min: 1, max: 100_000_000, default: D.backlogHighWater }).describe(
    'undone messages (table + executor lag) at which the poller stops fetching, 1-100000000',
  ),
  LEASE_SESSION_TIMEOUT_MS: numberSetting({
    min: 6_000,
    max: 300_000,
    default: D.leaseSessionTimeoutMs,
  }).describe(
    "milliseconds before a silent active poller is replaced, 6000-300000 (within the broker's group session bounds)",
  ),
});

/**
 * Reads and validates the poller's settings. Every group is checked before failing, so one SettingsError lists
 * every bad value at once, each with how to fix it.
 */
export function loadPollerSettings(env: SettingsSource): PollerSettings {
  const problems: SettingProblem[] = [];
  const check = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const http = check(() => parseHttpSettings('poller', env, DEFAULT_POLLER_HTTP_PORT));
  const lifecycle = check(() => parseLifecycleSettings('poller', env));
  const kafka = check(() => parseKafkaSettings(env));
  const database = check(() => parseDatabaseSettings(env));
  const smartlink = check(() => parseSmartLinkSettings(env));
  const poll = check(() => parseSettings('poller', pollSettingsSchema, env));
  if (!http || !lifecycle || !kafka || !database || !smartlink || !poll)
    throw new SettingsError('poller', problems);
  return {
    http,
    lifecycle,
    kafka,
    database,
    smartlink,
    poll: {
      subscriptions: poll.SMARTLINK_SUBSCRIPTIONS,
      intervalMs: poll.POLL_INTERVAL_MS,
      continuous: poll.POLL_CONTINUOUS,
      idleDelayMs: poll.POLL_IDLE_DELAY_MS,
      batchSize: poll.POLL_BATCH_SIZE ?? smartlink.SMARTLINK_GET_BATCH_SIZE,
      backlogHighWater: poll.BACKLOG_HIGH_WATER,
      leaseSessionTimeoutMs: poll.LEASE_SESSION_TIMEOUT_MS,
    },
  };
}
