/** A Prometheus histogram as one scrape shows it: cumulative bucket counts by upper bound, sum and count. */
export interface HistogramReading {
  /** Cumulative counts, by upper bound ascending; the last bound is Infinity (`le="+Inf"`). */
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
  readonly sum: number;
  readonly count: number;
}

/**
 * Reads histogram `name` (all label sets added up, which is the one series a service without extra labels has) from
 * a text exposition; null when absent. Written here rather than taken from a parser package: the bench needs three
 * line shapes of one metric, and prom-client itself only writes the format.
 */
export function histogramOfExposition(exposition: string, name: string): HistogramReading | null {
  const byLe = new Map<number, number>();
  let sum: number | null = null;
  let count: number | null = null;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^(\S+?)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const [, metric, labels = '', raw] = match as unknown as [string, string, string | undefined, string];
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    if (metric === `${name}_bucket`) {
      const le = /(?:^|,)le="([^"]+)"/.exec(labels)?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Infinity : Number(le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + value);
    } else if (metric === `${name}_sum`) {
      sum = (sum ?? 0) + value;
    } else if (metric === `${name}_count`) {
      count = (count ?? 0) + value;
    }
  }
  if (sum === null || count === null || byLe.size === 0) return null;
  const buckets = [...byLe].sort(([a], [b]) => a - b).map(([le, c]) => ({ le, count: c }));
  return { buckets, sum, count };
}

/**
 * What was observed between two scrapes of the same histogram. When the count fell the service restarted (its
 * counters began again at 0), so everything the later scrape holds is new.
 */
export function histogramDelta(before: HistogramReading | null, after: HistogramReading): HistogramReading {
  if (before === null || after.count < before.count) return after;
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The upper bound of the bucket holding quantile `q` (0–1): an upper estimate, since an observation may lie
 * anywhere in its bucket. Infinity when it lies beyond the last finite bound; null for no observations.
 */
export function histogramQuantileBound(histogram: HistogramReading, q: number): number | null {
  if (!(histogram.count > 0)) return null;
  const rank = q * histogram.count;
  for (const bucket of histogram.buckets) if (bucket.count >= rank) return bucket.le;
  return Infinity;
}
