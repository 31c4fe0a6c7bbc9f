/** One reading of a series: seconds since the run started, the value, and which process life it belongs to. */
export interface TrendPoint {
  readonly t: number;
  readonly y: number;
  /** Readings of different lives (a service before and after a restart) get intercepts of their own. */
  readonly life?: string | number;
}

/** A least-squares slope, in the series' unit per hour. */
export interface Trend {
  readonly slopePerHour: number;
  /** Half the width of the slope's 95 % interval (1.96 standard errors), per hour; NaN with too few readings. */
  readonly ci95PerHour: number;
  readonly points: number;
  readonly lives: number;
}

/**
 * The least-squares slope of y over t, with one intercept per life and a slope common to all ("within" or
 * fixed-effects regression): a restart that drops a service's RSS back to its idle size is a step, not a trend, and
 * the slope is what memory does within each life. Readings that are not finite are skipped. Null when fewer than
 * three readings or no spread in time remain. The interval assumes independent residuals; readings 10 s apart are
 * not quite, so it is a little narrow.
 */
export function withinLifeTrend(points: readonly TrendPoint[]): Trend | null {
  const lives = new Map<string | number, TrendPoint[]>();
  for (const p of points) {
    if (!Number.isFinite(p.t) || !Number.isFinite(p.y)) continue;
    const key = p.life ?? 0;
    const life = lives.get(key);
    if (life) life.push(p);
    else lives.set(key, [p]);
  }
  let sxx = 0;
  let sxy = 0;
  let n = 0;
  const centred: Array<{ dt: number; dy: number }> = [];
  for (const life of lives.values()) {
    const tMean = life.reduce((s, p) => s + p.t, 0) / life.length;
    const yMean = life.reduce((s, p) => s + p.y, 0) / life.length;
    for (const p of life) {
      const dt = p.t - tMean;
      const dy = p.y - yMean;
      sxx += dt * dt;
      sxy += dt * dy;
      centred.push({ dt, dy });
      n += 1;
    }
  }
  if (n < 3 || !(sxx > 0)) return null;
  const slope = sxy / sxx;
  const freedom = n - lives.size - 1;
  const residuals = centred.reduce((s, { dt, dy }) => s + (dy - slope * dt) ** 2, 0);
  const standardError = freedom > 0 ? Math.sqrt(residuals / freedom / sxx) : NaN;
  return {
    slopePerHour: slope * 3_600,
    ci95PerHour: 1.96 * standardError * 3_600,
    points: n,
    lives: lives.size,
  };
}

/**
 * Whether reading time `t` (seconds since the start) counts for the trends: after the warm-up, and not within
 * `afterKillS` of a kill.
 */
export function countsForTrend(
  t: number,
  warmUpS: number,
  killsAtS: readonly number[],
  afterKillS: number,
): boolean {
  return t >= warmUpS && !killsAtS.some((k) => t >= k && t < k + afterKillS);
}
