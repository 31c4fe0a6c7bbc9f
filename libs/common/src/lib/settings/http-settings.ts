import { z } from 'zod';
import { numberSetting, parseSettings, type SettingsSource } from './parse-settings';

/** Where a service listens for health checks and metrics. */
export interface HttpSettings {
  readonly host: string;
  readonly port: number;
}

/** Listen on every interface by default: in a pod, probes come from the kubelet, not from localhost. */
export const DEFAULT_HTTP_HOST = '0.0.0.0';

/** Reads HTTP_HOST and HTTP_PORT for a service whose own default port is `defaultPort`. */
export function parseHttpSettings(service: string, env: SettingsSource, defaultPort: number): HttpSettings {
  const schema = z.object({
    HTTP_HOST: z
      .string()
      .min(1)
      .default(DEFAULT_HTTP_HOST)
      .describe('the address to listen on, e.g. 0.0.0.0'),
    HTTP_PORT: numberSetting({ min: 0, max: 65535, default: defaultPort }).describe(
      'the TCP port for health checks and metrics, 0-65535 (0 picks a free port)',
    ),
  });
  const parsed = parseSettings(`${service} HTTP`, schema, env);
  return { host: parsed.HTTP_HOST, port: parsed.HTTP_PORT };
}
