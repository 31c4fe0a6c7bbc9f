import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { KafkaClient } from '@smartlink/messaging';
import type { SimAdmin } from '@smartlink/testing';
import { externalBytesOfExposition, heapUsedBytesOfExposition } from '../resources/heap-used';
import { rssBytesOfStatus } from '../resources/proc-stat';
import {
  histogramDelta,
  histogramOfExposition,
  histogramQuantileBound,
  type HistogramReading,
} from '../resources/prometheus-histogram';
import type { RetryLatenessReading, ServiceReading, SoakSample } from './soak-sample';
import { readTableSizes, type TableSizes } from './table-sizes';

const MB = 1024 * 1024;
const LATENESS = 'smartlink_retry_lateness_seconds';

/** A service the sampler watches: its current pid and life, and its Prometheus endpoint if it has one. */
export interface SoakWatched {
  readonly name: string;
  pid(): number | null;
  life(): number;
  readonly metricsUrl?: string;
}

/** What the sampler reads from. */
export interface SoakSamplerDeps {
  readonly services: readonly SoakWatched[];
  readonly client: KafkaClient;
  /** [group, topics] pairs whose lag is read. */
  readonly groups: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly sim: SimAdmin;
  readonly tenant: string;
  readonly databaseUrl: string;
  readonly retrySchedulerMetricsUrl: string;
  readonly offered: () => number;
}

/**
 * Takes one reading of everything a soak watches: per service RSS (/proc) and V8 heap in use (/metrics), each
 * consumer group's lag, the retries claimed since the last reading and how late, the RM tables' size and the
 * throughput since the last reading. A part that cannot be read is null in that reading; the rest still counts.
 */
export class SoakSampler {
  private readonly lag: ReturnType<KafkaClient['createGroupLag']>;
  private lastLateness: HistogramReading | null = null;
  private last: { at: number; acked: number | null; execRows: number | null } | null = null;

  constructor(
    private readonly deps: SoakSamplerDeps,
    private readonly startedAt: number,
  ) {
    this.lag = deps.client.createGroupLag();
  }

  async sample(): Promise<SoakSample> {
    const at = Date.now();
    const [services, lag, retries, tables, stats] = await Promise.all([
      this.readServices(),
      this.readLag(),
      this.readRetries(),
      readTableSizes(this.deps.databaseUrl).catch((): TableSizes | null => null),
      this.deps.sim.tenantStats(this.deps.tenant).catch(() => undefined),
    ]);
    const acked = stats?.acked ?? null;
    const execRows = tables?.execRows ?? null;
    const perSecond = (now: number | null, before: number | null | undefined) =>
      this.last && now !== null && before !== null && before !== undefined && at > this.last.at
        ? (now - before) / ((at - this.last.at) / 1000)
        : null;
    const sample: SoakSample = {
      t: Math.round((at - this.startedAt) / 100) / 10,
      at: new Date(at).toISOString(),
      services,
      lag,
      retries,
      tables,
      offered: this.deps.offered(),
      acked,
      sent: stats?.sent ?? null,
      ackedPerS: perSecond(acked, this.last?.acked),
      attemptsPerS: perSecond(execRows, this.last?.execRows),
      load1m: loadavg()[0] ?? 0,
    };
    this.last = { at, acked, execRows };
    return sample;
  }

  async close(): Promise<void> {
    await this.lag.disconnect();
  }

  private async readServices(): Promise<Record<string, ServiceReading>> {
    const readings = await Promise.all(
      this.deps.services.map(async (service): Promise<[string, ServiceReading]> => {
        const pid = service.pid();
        const [rssMb, memory] = await Promise.all([
          pid === null ? null : rssMbOf(pid),
          service.metricsUrl ? v8MemoryOf(service.metricsUrl) : null,
        ]);
        return [
          service.name,
          {
            pid,
            life: service.life(),
            rssMb,
            heapMb: memory?.heapMb ?? null,
            externalMb: memory?.externalMb ?? null,
          },
        ];
      }),
    );
    return Object.fromEntries(readings);
  }

  private async readLag(): Promise<Record<string, number | null>> {
    const totals = await Promise.all(
      this.deps.groups.map(async ([group, topics]): Promise<[string, number | null]> => {
        try {
          const lags = await Promise.all(topics.map((topic) => this.lag.read(group, topic)));
          return [group, lags.reduce((sum, l) => sum + l.total, 0)];
        } catch {
          return [group, null];
        }
      }),
    );
    return Object.fromEntries(totals);
  }

  private async readRetries(): Promise<RetryLatenessReading | null> {
    try {
      const response = await fetch(this.deps.retrySchedulerMetricsUrl, {
        signal: AbortSignal.timeout(5_000),
      });
      const now = histogramOfExposition(await response.text(), LATENESS);
      if (now === null) return null;
      const delta = histogramDelta(this.lastLateness, now);
      this.lastLateness = now;
      const p99 = histogramQuantileBound(delta, 0.99);
      const lastBound = Math.max(0, ...delta.buckets.map((b) => b.le).filter(Number.isFinite));
      return {
        count: delta.count,
        meanS: delta.count > 0 ? delta.sum / delta.count : null,
        p99BoundS: p99 === Infinity ? lastBound : p99,
        p99BeyondLastBucket: p99 === Infinity,
      };
    } catch {
      // The scheduler is down (killed, restarting): what it claims meanwhile is in the next reading's delta, or lost
      // with the dead process's counters.
      return null;
    }
  }
}

async function rssMbOf(pid: number): Promise<number | null> {
  try {
    return rssBytesOfStatus(await readFile(`/proc/${pid}/status`, 'utf8')) / MB;
  } catch {
    return null;
  }
}

/** V8's heap in use and its external memory, MB, from a service's /metrics; null when the scrape fails. */
async function v8MemoryOf(
  url: string,
): Promise<{ readonly heapMb: number | null; readonly externalMb: number | null } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const exposition = await response.text();
    const heap = heapUsedBytesOfExposition(exposition);
    const external = externalBytesOfExposition(exposition);
    return { heapMb: heap === null ? null : heap / MB, externalMb: external === null ? null : external / MB };
  } catch {
    return null;
  }
}
