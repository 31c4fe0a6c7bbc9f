import { parseHttpSettings, type HttpSettings, type SettingsSource } from '@smartlink/common';
import { parseSmartLinkSettings, type SmartLinkSettings } from '@smartlink/contract';
import { parseKafkaSettings, type KafkaSettings } from '@smartlink/messaging';
import { parseDatabaseSettings, type DatabaseSettings } from '@smartlink/rm-tables';

/** Port for health checks and metrics unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_POLLER_HTTP_PORT = 8081;

/** Everything the poller needs, validated once at boot. */
export interface PollerSettings {
  readonly http: HttpSettings;
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  /** The Smart Link cloud: RAC token and link API. */
  readonly smartlink: SmartLinkSettings;
}

/** Reads and validates the poller's settings; a bad value throws a SettingsError that says how to fix it. */
export function loadPollerSettings(env: SettingsSource): PollerSettings {
  return {
    http: parseHttpSettings('poller', env, DEFAULT_POLLER_HTTP_PORT),
    kafka: parseKafkaSettings(env),
    database: parseDatabaseSettings(env),
    smartlink: parseSmartLinkSettings(env),
  };
}
