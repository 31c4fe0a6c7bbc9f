/** How a pipeline figure compares with a raw limit measured in the same run: `value / limit`, or null if unknown. */
export function ratio(value: number | null | undefined, limit: number | null | undefined): number | null {
  if (value === null || value === undefined || limit === null || limit === undefined) return null;
  if (!Number.isFinite(value) || !Number.isFinite(limit) || limit <= 0) return null;
  return value / limit;
}

/** Items per second over a window given in milliseconds; null for an empty or negative window. */
export function perSecond(count: number, windowMs: number): number | null {
  if (!(windowMs > 0) || !Number.isFinite(count)) return null;
  return (count * 1000) / windowMs;
}

/**
 * Counts instants (epoch ms) per whole second since `origin`: element i is how many fell in [origin + i s,
 * origin + (i + 1) s). Instants before the origin count in the first second; `seconds` fixes the length.
 */
export function countPerSecond(instants: readonly number[], origin: number, seconds?: number): number[] {
  const last = instants.reduce((max, t) => Math.max(max, t), origin);
  const length = seconds ?? Math.floor((last - origin) / 1000) + 1;
  const buckets = new Array<number>(Math.max(0, length)).fill(0);
  for (const t of instants) {
    const i = Math.max(0, Math.floor((t - origin) / 1000));
    if (i < buckets.length) buckets[i] = (buckets[i] as number) + 1;
  }
  return buckets;
}

/**
 * The best rate held over `windowSeconds` consecutive seconds of a per-second series, in items per second; null if
 * the series is shorter than the window.
 */
export function bestWindowRate(buckets: readonly number[], windowSeconds: number): number | null {
  if (windowSeconds < 1 || buckets.length < windowSeconds) return null;
  let sum = buckets.slice(0, windowSeconds).reduce((a, b) => a + b, 0);
  let best = sum;
  for (let i = windowSeconds; i < buckets.length; i += 1) {
    sum += (buckets[i] as number) - (buckets[i - windowSeconds] as number);
    best = Math.max(best, sum);
  }
  return best / windowSeconds;
}

/**
 * The sustained rate of a per-second series: the median second once the run is under way, leaving out the first
 * and last `trim` share of the seconds (ramp-up and the tail of the last messages). Null for fewer than 3 seconds.
 */
export function steadyRate(buckets: readonly number[], trim = 0.1): number | null {
  if (buckets.length < 3) return null;
  const cut = Math.floor(buckets.length * trim);
  const middle = [...buckets.slice(cut, buckets.length - cut)].sort((a, b) => a - b);
  const mid = Math.floor(middle.length / 2);
  return middle.length % 2 === 1
    ? (middle[mid] as number)
    : ((middle[mid - 1] as number) + (middle[mid] as number)) / 2;
}
