import { cpuPercent, type ProcessSample } from './proc-stat';

/** CPU and memory of one process over a stretch of the run. */
export interface UsageSummary {
  /** Mean CPU over the stretch, % of one core. */
  readonly cpuPercentMean: number;
  /** Busiest sampling interval, % of one core. */
  readonly cpuPercentMax: number;
  readonly rssMbMean: number;
  readonly rssMbMax: number;
  /** CPU time used over the stretch, in seconds: divided by the messages of a run, what each one costs. */
  readonly cpuSeconds: number;
  readonly samples: number;
  /** The most V8 heap in use the service reported over the stretch (its /metrics), in MB; absent without one. */
  readonly heapMbMax?: number;
}

/** One reading of a process, with the wall clock it was taken at. */
export interface TimedSample extends ProcessSample {
  readonly at: number;
}

const MB = 1024 * 1024;

/**
 * Summarises consecutive readings of one process: mean CPU from the first to the last reading, the busiest interval,
 * and RSS. Null with fewer than two readings (no interval to measure CPU over).
 */
export function summarizeUsage(samples: readonly TimedSample[], ticksPerSecond: number): UsageSummary | null {
  if (samples.length < 2) return null;
  const first = samples[0] as TimedSample;
  const last = samples[samples.length - 1] as TimedSample;
  let busiest = 0;
  for (let i = 1; i < samples.length; i += 1) {
    const before = samples[i - 1] as TimedSample;
    const after = samples[i] as TimedSample;
    busiest = Math.max(busiest, cpuPercent(before, after, after.at - before.at, ticksPerSecond));
  }
  const rss = samples.map((s) => s.rssBytes / MB);
  return {
    cpuPercentMean: cpuPercent(first, last, last.at - first.at, ticksPerSecond),
    cpuPercentMax: busiest,
    rssMbMean: rss.reduce((a, b) => a + b, 0) / rss.length,
    rssMbMax: rss.reduce((a, b) => Math.max(a, b), 0),
    cpuSeconds: Math.max(0, last.cpuTicks - first.cpuTicks) / ticksPerSecond,
    samples: samples.length,
  };
}
