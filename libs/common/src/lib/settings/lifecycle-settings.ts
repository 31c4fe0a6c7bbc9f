import { z } from 'zod';
import { numberSetting, parseSettings, type SettingsSource } from './parse-settings';

/** How a service stops. */
export interface LifecycleSettings {
  /**
   * Hard limit on a graceful shutdown (SIGTERM → exit), in ms. Past it the process logs what was still open and
   * exits with code 1. Keep it below the pod's `terminationGracePeriodSeconds`.
   */
  readonly shutdownDeadlineMs: number;
}

/** Kubernetes' default termination grace period is 30 s; 20 s leaves room for the SIGKILL margin and the preStop. */
export const DEFAULT_SHUTDOWN_DEADLINE_MS = 20_000;

/** Reads SHUTDOWN_DEADLINE_MS for `service`. */
export function parseLifecycleSettings(service: string, env: SettingsSource): LifecycleSettings {
  const schema = z.object({
    SHUTDOWN_DEADLINE_MS: numberSetting({
      min: 1_000,
      max: 600_000,
      default: DEFAULT_SHUTDOWN_DEADLINE_MS,
    }).describe(
      `milliseconds a graceful shutdown may take before the process exits with code 1, 1000-600000 ` +
        `(default ${DEFAULT_SHUTDOWN_DEADLINE_MS}); keep it below the pod's termination grace period`,
    ),
  });
  return { shutdownDeadlineMs: parseSettings(`${service} lifecycle`, schema, env).SHUTDOWN_DEADLINE_MS };
}
