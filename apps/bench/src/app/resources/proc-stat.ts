/** CPU time and resident memory of one process, read from /proc (Linux). */
export interface ProcessSample {
  /** User plus system CPU time so far, in clock ticks. */
  readonly cpuTicks: number;
  /** Resident set size in bytes. */
  readonly rssBytes: number;
}

/**
 * Reads utime + stime (fields 14 and 15) from the text of /proc/<pid>/stat. The command name (field 2) is in
 * parentheses and may hold spaces and parentheses itself, so fields are counted from the last ')'.
 */
export function cpuTicksOfStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable /proc/<pid>/stat');
  return utime + stime;
}

/** Reads VmRSS from the text of /proc/<pid>/status, in bytes. */
export function rssBytesOfStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS in /proc/<pid>/status');
  return Number(match[1]) * 1024;
}

/** CPU use between two samples as a percentage of one core (200 % = both cores of a 2-core machine busy). */
export function cpuPercent(
  before: ProcessSample,
  after: ProcessSample,
  elapsedMs: number,
  ticksPerSecond: number,
): number {
  if (!(elapsedMs > 0)) return 0;
  const seconds = (after.cpuTicks - before.cpuTicks) / ticksPerSecond;
  return Math.max(0, (seconds * 1000 * 100) / elapsedMs);
}
