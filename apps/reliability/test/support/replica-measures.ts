/** One reading of a replica's work counter: epoch ms and the counter's value in that process life. */
export interface CounterSample {
  readonly at: number;
  readonly value: number;
}

/** A stretch of time in epoch ms; `open` when nothing ended it before the window closed. */
export interface Stretch {
  readonly from: number;
  readonly to: number;
  readonly open: boolean;
}

/**
 * The longest time, inside `[from, until]`, in which a replica's work counter did not move: from the later of
 * `from` and the last increase before it, to the first increase after (or `until`, open, if none came). Samples are
 * of one process life, in time order; a stretch is only as precise as the sampling interval.
 */
export function longestFlat(samples: readonly CounterSample[], from: number, until: number): Stretch {
  let best: Stretch = { from, to: from, open: false };
  let lastIncrease = from;
  let previous: CounterSample | undefined;
  for (const sample of samples) {
    if (previous && sample.value > previous.value) {
      if (sample.at > from) {
        const start = Math.max(lastIncrease, from);
        const end = Math.min(sample.at, until);
        if (end - start > best.to - best.from) best = { from: start, to: end, open: false };
      }
      lastIncrease = sample.at;
      if (sample.at >= until) return best;
    }
    previous = sample;
  }
  const start = Math.max(lastIncrease, from);
  return until - start > best.to - best.from ? { from: start, to: until, open: true } : best;
}

/** One get the cloud answered, with the token that asked (one token per client process). */
export interface TokenGet {
  readonly tokenId: string;
  readonly at: number;
}

/**
 * The runs of consecutive gets by one token, in time order. A token that appears in two runs means two processes
 * took turns at the queue: with one lease holder at a time and a lease that moves only when its holder dies, every
 * token has exactly one run.
 */
export function tokenRuns(
  gets: readonly TokenGet[],
): { tokenId: string; from: number; to: number; gets: number }[] {
  const runs: { tokenId: string; from: number; to: number; gets: number }[] = [];
  for (const get of [...gets].sort((a, b) => a.at - b.at)) {
    const last = runs.at(-1);
    if (last && last.tokenId === get.tokenId) {
      runs[runs.length - 1] = { ...last, to: get.at, gets: last.gets + 1 };
    } else {
      runs.push({ tokenId: get.tokenId, from: get.at, to: get.at, gets: 1 });
    }
  }
  return runs;
}

/**
 * The standby's takeover after the active poller died at `killedAt`: the first get after the death by a token other
 * than the one the dead poller used last. Null if no other token got anything.
 */
export function takeover(
  gets: readonly TokenGet[],
  killedAt: number,
): { at: number; tokenId: string } | null {
  const sorted = [...gets].sort((a, b) => a.at - b.at);
  const deadToken = sorted.filter((g) => g.at <= killedAt).at(-1)?.tokenId;
  const first = sorted.find((g) => g.at > killedAt && g.tokenId !== deadToken);
  return first ? { at: first.at, tokenId: first.tokenId } : null;
}

/** The p-th percentile (nearest rank) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Held intervals of a lease from one process life's log: `taken` to `lost`, or to the death of the process. */
export function leaseIntervals(
  lines: readonly { at: number; message: string }[],
  diedAt: number,
): { from: number; to: number }[] {
  const intervals: { from: number; to: number }[] = [];
  let takenAt: number | null = null;
  for (const { at, message } of lines) {
    if (/^Lease \S+ taken/.test(message)) takenAt ??= at;
    else if (/^Lease \S+ released or lost/.test(message) && takenAt !== null) {
      intervals.push({ from: takenAt, to: at });
      takenAt = null;
    }
  }
  if (takenAt !== null) intervals.push({ from: takenAt, to: diedAt });
  return intervals;
}
