/** The distribution of a set of samples (milliseconds, usually), as the report prints it. */
export interface SampleSummary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The nearest-rank percentile of ascending `sorted` samples: the smallest sample with at least `p` % of the samples at
 * or below it. Always one of the samples, never an interpolation; `NaN` without samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0-100, got ${p}`);
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Count, extremes, mean and the 50th, 95th and 99th percentiles of `samples` (any order); null without samples. */
export function summarize(samples: readonly number[]): SampleSummary | null {
  const finite = samples.filter((s) => Number.isFinite(s));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  const sum = sorted.reduce((total, s) => total + s, 0);
  return {
    count: sorted.length,
    min: sorted[0] as number,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] as number,
    mean: sum / sorted.length,
  };
}
