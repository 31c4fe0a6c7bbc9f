import type { HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';

/**
 * A readiness check from a flag the service keeps, e.g. "the consumer is in its group" or "setup is done":
 * `up` when `isUp()` is true, `down` otherwise, with `detail()` attached either way.
 */
export function flagCheck(
  indicators: HealthIndicatorService,
  key: string,
  isUp: () => boolean,
  detail: () => Record<string, unknown> = () => ({}),
): HealthIndicatorFunction {
  return () => {
    const session = indicators.check(key);
    return isUp() ? session.up(detail()) : session.down(detail());
  };
}
