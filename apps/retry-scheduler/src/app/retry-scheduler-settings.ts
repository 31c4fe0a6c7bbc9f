import { parseHttpSettings, type HttpSettings, type SettingsSource } from '@smartlink/common';
import { parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_RETRY_SCHEDULER_HTTP_PORT = 8083;

/** Everything the retry-scheduler needs, validated once at boot. */
export interface RetrySchedulerSettings {
  readonly http: HttpSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
}

/** Reads and validates the retry-scheduler's settings; a bad value throws a SettingsError that says how to fix it. */
export function loadRetrySchedulerSettings(env: SettingsSource): RetrySchedulerSettings {
  return {
    http: parseHttpSettings('retry-scheduler', env, DEFAULT_RETRY_SCHEDULER_HTTP_PORT),
    kafka: parseKafkaSettings(env),
    database: parseDatabaseSettings(env),
  };
}
