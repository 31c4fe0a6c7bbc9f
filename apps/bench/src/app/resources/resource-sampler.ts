import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cpuTicksOfStat, rssBytesOfStatus } from './proc-stat';
import { summarizeUsage, type TimedSample, type UsageSummary } from './usage-summary';

/** A process to watch: its name in the report and its current pid (null once it exited). */
export interface WatchedProcess {
  readonly name: string;
  pid(): number | null;
}

/** The kernel's clock ticks per second, in which /proc reports CPU time; 100 on every Linux we run. */
export function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

function read(pid: number, at: number): TimedSample | null {
  try {
    return {
      at,
      cpuTicks: cpuTicksOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      rssBytes: rssBytesOfStatus(readFileSync(`/proc/${pid}/status`, 'utf8')),
    };
  } catch {
    return null; // exited, or not Linux
  }
}

/**
 * Reads CPU time and RSS of the services from /proc once a second while a named stretch of the run (idle, load) is
 * open, and the machine's load average all along. Cheap: two small file reads per process per second.
 */
export class ResourceSampler {
  private readonly stretches = new Map<string, Map<string, TimedSample[]>>();
  private readonly load: number[] = [];
  private current: Map<string, TimedSample[]> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly processes: () => readonly WatchedProcess[],
    private readonly ticksPerSecond: number = clockTicksPerSecond(),
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  /** Opens a stretch: readings from now on count for `name`, starting with one now. */
  begin(name: string): void {
    this.current = new Map();
    this.stretches.set(name, this.current);
    this.tick();
  }

  /** Closes the open stretch with a last reading. */
  end(): void {
    this.tick();
    this.current = null;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.current = null;
  }

  /** CPU and RSS of each watched process over stretch `name`. */
  usage(name: string): Record<string, UsageSummary | null> {
    const stretch = this.stretches.get(name);
    const result: Record<string, UsageSummary | null> = {};
    for (const { name: process } of this.processes()) {
      result[process] = summarizeUsage(stretch?.get(process) ?? [], this.ticksPerSecond);
    }
    return result;
  }

  /** Highest and mean 1-minute load average seen since `start()`. */
  loadAverage(): { max: number | null; mean: number | null } {
    if (this.load.length === 0) return { max: null, mean: null };
    return {
      max: this.load.reduce((a, b) => Math.max(a, b), 0),
      mean: this.load.reduce((a, b) => a + b, 0) / this.load.length,
    };
  }

  private tick(): void {
    this.load.push(loadavg()[0] ?? 0);
    const stretch = this.current;
    if (!stretch) return;
    const at = Date.now();
    for (const process of this.processes()) {
      const pid = process.pid();
      const sample = pid === null ? null : read(pid, at);
      if (!sample) continue;
      const samples = stretch.get(process.name);
      if (samples) samples.push(sample);
      else stretch.set(process.name, [sample]);
    }
  }
}
