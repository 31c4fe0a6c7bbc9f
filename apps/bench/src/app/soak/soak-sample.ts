import type { TableSizes } from './table-sizes';

/** One service at one reading. */
export interface ServiceReading {
  readonly pid: number | null;
  /** Which life of the service this is: 0 from the start, +1 at each restart. */
  readonly life: number;
  readonly rssMb: number | null;
  /** V8 heap in use (nodejs_heap_size_used_bytes of its /metrics), MB; null for the simulator or a failed scrape. */
  readonly heapMb: number | null;
  /**
   * Memory outside V8's heap that V8 accounts for (Buffers, ArrayBuffers: nodejs_external_memory_bytes), MB; null
   * as heapMb is, and in results of runs before 2026-12-07 23:00.
   */
  readonly externalMb?: number | null;
}

/** Retries the retry scheduler claimed since the reading before (its smartlink_retry_lateness_seconds histogram). */
export interface RetryLatenessReading {
  readonly count: number;
  /** Mean claim time − DATATENTATIVAEXEC over those retries, seconds. */
  readonly meanS: number | null;
  /** Upper bound of the histogram bucket holding their p99, seconds; the last bound (60 s) when beyond it. */
  readonly p99BoundS: number | null;
  readonly p99BeyondLastBucket: boolean;
}

/** Everything read at one sampling tick of a soak run. */
export interface SoakSample {
  /** Seconds since the load started. */
  readonly t: number;
  readonly at: string;
  readonly services: Readonly<Record<string, ServiceReading>>;
  /** Lag of each consumer group (records written and not committed), summed over its topics; null when unread. */
  readonly lag: Readonly<Record<string, number | null>>;
  readonly retries: RetryLatenessReading | null;
  readonly tables: TableSizes | null;
  /** Messages the bench has put in the cloud queue so far. */
  readonly offered: number;
  /** The simulator's counters so far: messages the client acked, and upstream messages it sent. */
  readonly acked: number | null;
  readonly sent: number | null;
  /** Throughput since the reading before, per second: cloud acks, and attempts recorded (GTOTVSLINKMESSAGEEXEC rows). */
  readonly ackedPerS: number | null;
  readonly attemptsPerS: number | null;
  readonly load1m: number;
}

/** One SIGKILL and restart. */
export interface SoakKill {
  readonly service: string;
  /** Seconds since the load started, when the signal was sent. */
  readonly t: number;
  readonly pid: number;
  /** Seconds from the signal until the new process answered ready; null when it did not come back. */
  readonly restartS: number | null;
  readonly error?: string;
}
