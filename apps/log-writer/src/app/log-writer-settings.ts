import { parseHttpSettings, type HttpSettings, type SettingsSource } from '@smartlink/common';
import { parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_LOG_WRITER_HTTP_PORT = 8084;

/** Everything the log-writer needs, validated once at boot. */
export interface LogWriterSettings {
  readonly http: HttpSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
}

/** Reads and validates the log-writer's settings; a bad value throws a SettingsError that says how to fix it. */
export function loadLogWriterSettings(env: SettingsSource): LogWriterSettings {
  return {
    http: parseHttpSettings('log-writer', env, DEFAULT_LOG_WRITER_HTTP_PORT),
    kafka: parseKafkaSettings(env),
    database: parseDatabaseSettings(env),
  };
}
