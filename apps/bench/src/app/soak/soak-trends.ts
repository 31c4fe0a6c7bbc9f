import type { ServiceReading, SoakKill, SoakSample } from './soak-sample';
import { countsForTrend, withinLifeTrend, type Trend } from './trend';

/** A series a soak judges: how to read it from a sample, and how much change per hour it tolerates. */
export interface SoakSeries {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** The slope per hour beyond which the series is said to trend: up (a leak, a backlog) or down (throughput). */
  readonly threshold: number;
  readonly bad: 'up' | 'down';
  value(sample: SoakSample): number | null;
  /** The process life a reading belongs to, for series of one service (a restart is a step, not a trend). */
  life?(sample: SoakSample): number;
  /** The service a series is of: a new process of it warms up again after its restart, like the first one did. */
  readonly service?: string;
}

export interface SeriesVerdict {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly threshold: number;
  readonly bad: 'up' | 'down';
  readonly trend: Trend | null;
  /**
   * `trends` when the slope is beyond the threshold in the bad direction and its 95 % interval leaves out 0;
   * `unclear` when it is beyond the threshold but the interval takes in 0 (too noisy to tell); `flat` otherwise.
   */
  readonly verdict: 'flat' | 'trends' | 'unclear' | 'no data';
}

/** Thresholds, per hour of running, beyond the warm-up. Why each is what it is: apps/bench/README.md ("Soak"). */
export const SOAK_THRESHOLDS = {
  rssMbPerHour: 20,
  heapMbPerHour: 10,
  lagPerHour: 1_000,
  latenessSPerHour: 0.5,
  messageRowsPerHour: 500,
  messageMbPerHour: 10,
  attemptsPerAckedPerHour: 0.05,
} as const;

/** One memory series per service (MB, rising is bad), fitted per process life. */
function memorySeries(
  services: readonly string[],
  key: string,
  label: string,
  threshold: number,
  of: (reading: ServiceReading) => number | null | undefined,
): SoakSeries[] {
  return services.map((name) => ({
    key: `${key}:${name}`,
    label: `${label} ${name}`,
    unit: 'MB',
    threshold,
    bad: 'up',
    value: (s) => {
      const reading = s.services[name];
      return reading === undefined ? null : (of(reading) ?? null);
    },
    life: (s) => s.services[name]?.life ?? 0,
    service: name,
  }));
}

/** The series a soak run judges, for the services and consumer groups it watched. */
export function soakSeries(
  services: readonly string[],
  groups: readonly string[],
  rate: number,
): SoakSeries[] {
  const T = SOAK_THRESHOLDS;
  return [
    ...memorySeries(services, 'rss', 'RSS', T.rssMbPerHour, (r) => r.rssMb),
    ...memorySeries(services, 'heap', 'V8 heap in use', T.heapMbPerHour, (r) => r.heapMb),
    ...memorySeries(services, 'external', 'V8 external memory', T.heapMbPerHour, (r) => r.externalMb),
    ...groups.map((group): SoakSeries => ({
      key: `lag:${group}`,
      label: `consumer lag ${group}`,
      unit: 'records',
      threshold: T.lagPerHour,
      bad: 'up',
      value: (s) => s.lag[group] ?? null,
    })),
    {
      key: 'retry:mean',
      label: 'retry lateness, mean per interval',
      unit: 's',
      threshold: T.latenessSPerHour,
      bad: 'up',
      value: (s) => s.retries?.meanS ?? null,
    },
    {
      key: 'retry:p99',
      label: 'retry lateness, p99 bucket bound per interval',
      unit: 's',
      threshold: T.latenessSPerHour * 2,
      bad: 'up',
      value: (s) => s.retries?.p99BoundS ?? null,
    },
    {
      key: 'table:message-rows',
      label: 'GTOTVSLINKMESSAGE rows',
      unit: 'rows',
      threshold: T.messageRowsPerHour,
      bad: 'up',
      value: (s) => s.tables?.messageRows ?? null,
    },
    {
      key: 'table:message-mb',
      label: 'GTOTVSLINKMESSAGE size (pg_total_relation_size)',
      unit: 'MB',
      threshold: T.messageMbPerHour,
      bad: 'up',
      value: (s) => (s.tables ? s.tables.messageBytes / (1024 * 1024) : null),
    },
    {
      key: 'table:exec-per-acked',
      label: 'GTOTVSLINKMESSAGEEXEC rows per acked message',
      unit: 'rows/msg',
      threshold: T.attemptsPerAckedPerHour,
      bad: 'up',
      value: (s) => (s.tables && s.acked ? s.tables.execRows / s.acked : null),
    },
    {
      key: 'throughput:acked',
      label: 'throughput, cloud acks per second',
      unit: 'msg/s',
      // A fall of 5 % of the offered rate per hour: the system no longer keeping up.
      threshold: rate * 0.05,
      bad: 'down',
      value: (s) => s.ackedPerS,
    },
  ];
}

/**
 * Judges each series over the samples that count for trends (after the warm-up, outside the stretch after each kill):
 * its least-squares slope per hour, one intercept per process life for a service's series, whose restarted processes
 * are left out for a warm-up of their own (a fresh process fills its heap and pools again, which is not a trend).
 */
export function judgeSeries(
  series: readonly SoakSeries[],
  samples: readonly SoakSample[],
  kills: readonly SoakKill[],
  window: { readonly warmUpS: number; readonly afterKillS: number; readonly endS: number },
): SeriesVerdict[] {
  const killsAt = kills.map((k) => k.t);
  const counted = samples.filter(
    (s) => s.t <= window.endS && countsForTrend(s.t, window.warmUpS, killsAt, window.afterKillS),
  );
  return series.map((s) => {
    const restarts = kills.filter((k) => k.service === s.service).map((k) => k.t);
    const warm = (t: number) => !restarts.some((r) => t >= r && t < r + window.warmUpS);
    const trend = withinLifeTrend(
      counted
        .filter((sample) => warm(sample.t))
        .map((sample) => ({
          t: sample.t,
          y: s.value(sample) ?? NaN,
          ...(s.life && { life: s.life(sample) }),
        })),
    );
    const beyond =
      trend !== null &&
      (s.bad === 'up' ? trend.slopePerHour > s.threshold : trend.slopePerHour < -s.threshold);
    const clear = trend !== null && Math.abs(trend.slopePerHour) > trend.ci95PerHour;
    return {
      key: s.key,
      label: s.label,
      unit: s.unit,
      threshold: s.threshold,
      bad: s.bad,
      trend,
      verdict: trend === null ? 'no data' : !beyond ? 'flat' : clear ? 'trends' : 'unclear',
    };
  });
}
