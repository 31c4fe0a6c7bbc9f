import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { heapUsedBytesOfExposition } from './heap-used';
import { cpuTicksOfStat, rssBytesOfStatus } from './proc-stat';
import { summarizeUsage, type TimedSample, type UsageSummary } from './usage-summary';

/**
 * Processes to watch under one name in the report: a service (one pid, none once it exited) or a group, such as the
 * database backends serving this run, whose CPU is added up.
 */
export interface WatchedProcess {
  readonly name: string;
  pids(): readonly number[];
  /** The service's Prometheus endpoint, to read V8's heap in use from; none for a process without one. */
  readonly metricsUrl?: string;
}

/** The kernel's clock ticks per second, in which /proc reports CPU time; 100 on every Linux we run. */
export function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

/** The pids whose command line holds `text`, e.g. PostgreSQL backends serving one database (`postgres: ... db`). */
export function pidsWithCommandLine(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Busy (not idle, not waiting for I/O) clock ticks of the whole machine, from /proc/stat. */
export function machineBusyTicks(stat: string): number {
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
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
 * One stretch of the run: readings per process (keyed name#pid), the machine's busy ticks at each tick, and the heap
 * in use each service reported (bytes, by name).
 */
interface Stretch {
  readonly processes: Map<string, TimedSample[]>;
  readonly machine: Array<{ at: number; busy: number }>;
  readonly heap: Map<string, number[]>;
}

/**
 * Reads CPU time and RSS of the services from /proc once a second while a named stretch of the run (idle, load) is
 * open, the machine's busy CPU alongside, and the load average all along. Cheap: a few small file reads a second.
 */
export class ResourceSampler {
  private readonly stretches = new Map<string, Stretch>();
  private readonly load: number[] = [];
  private current: Stretch | null = null;
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
    this.current = { processes: new Map(), machine: [], heap: new Map() };
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

  /**
   * CPU and RSS of each watched name over stretch `name`. A group's CPU is the sum over its processes (each counted
   * from its first to its last reading); its RSS is left at 0, since database backends share their memory.
   */
  usage(name: string): Record<string, UsageSummary | null> {
    const stretch = this.stretches.get(name);
    const result: Record<string, UsageSummary | null> = {};
    for (const watched of this.processes()) {
      const members = [...(stretch?.processes ?? new Map<string, TimedSample[]>())]
        .filter(([key]) => key.slice(0, key.lastIndexOf('#')) === watched.name)
        .map(([, samples]) => summarizeUsage(samples, this.ticksPerSecond))
        .filter((u): u is UsageSummary => u !== null);
      const usage = members.length <= 1 ? (members[0] ?? null) : sumGroup(members);
      const heap = stretch?.heap.get(watched.name) ?? [];
      result[watched.name] =
        usage && heap.length > 0 ? { ...usage, heapMbMax: Math.max(...heap) / (1024 * 1024) } : usage;
    }
    return result;
  }

  /** How many cores the whole machine kept busy on average over stretch `name`, whoever used them. */
  machineBusyCores(name: string): number | null {
    const machine = this.stretches.get(name)?.machine ?? [];
    const first = machine[0];
    const last = machine[machine.length - 1];
    if (!first || !last || last.at <= first.at) return null;
    return (last.busy - first.busy) / this.ticksPerSecond / ((last.at - first.at) / 1000);
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
    try {
      stretch.machine.push({ at, busy: machineBusyTicks(readFileSync('/proc/stat', 'utf8')) });
    } catch {
      // not Linux
    }
    for (const watched of this.processes()) {
      if (watched.metricsUrl) void readHeap(watched.metricsUrl, stretch.heap, watched.name);
      for (const pid of watched.pids()) {
        const sample = read(pid, at);
        if (!sample) continue;
        const key = `${watched.name}#${pid}`;
        const samples = stretch.processes.get(key);
        if (samples) samples.push(sample);
        else stretch.processes.set(key, [sample]);
      }
    }
  }
}

/** Adds the heap in use the service reports to `into`; a scrape that fails or times out adds nothing. */
async function readHeap(url: string, into: Map<string, number[]>, name: string): Promise<void> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(900) });
    const bytes = heapUsedBytesOfExposition(await response.text());
    if (bytes === null) return;
    const readings = into.get(name);
    if (readings) readings.push(bytes);
    else into.set(name, [bytes]);
  } catch {
    // the service is busy or gone: this second goes without a heap reading
  }
}

function sumGroup(members: readonly UsageSummary[]): UsageSummary {
  const sum = (f: (u: UsageSummary) => number) => members.reduce((total, u) => total + f(u), 0);
  return {
    cpuPercentMean: sum((u) => u.cpuPercentMean),
    cpuPercentMax: sum((u) => u.cpuPercentMax),
    rssMbMean: 0,
    rssMbMax: 0,
    cpuSeconds: sum((u) => u.cpuSeconds),
    samples: Math.max(...members.map((u) => u.samples)),
  };
}
