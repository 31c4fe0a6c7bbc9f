import { parseHttpSettings, type HttpSettings, type SettingsSource } from '@smartlink/common';
import { parseSegmentSettings, type SegmentSettings } from '@smartlink/segment-sdk';

/** Port for health checks and stats unless HTTP_PORT says otherwise; each service has its own for local runs. */
export const DEFAULT_EXAMPLE_SEGMENT_HTTP_PORT = 8086;
/** The segment name when SEGMENT_NAME is unset: its group is `<ns>.segment.example`. */
export const DEFAULT_EXAMPLE_SEGMENT_NAME = 'example';

/** Everything the example segment needs, validated once at boot. */
export interface ExampleSegmentSettings {
  readonly http: HttpSettings;
  /** The SDK's settings: segment name, Kafka, handler timeout, concurrency... */
  readonly segment: SegmentSettings;
}

/** Reads and validates the settings; a bad value throws a SettingsError that says how to fix it. */
export function loadExampleSegmentSettings(env: SettingsSource): ExampleSegmentSettings {
  return {
    http: parseHttpSettings('example-segment', env, DEFAULT_EXAMPLE_SEGMENT_HTTP_PORT),
    segment: parseSegmentSettings(env, { segment: DEFAULT_EXAMPLE_SEGMENT_NAME }),
  };
}
