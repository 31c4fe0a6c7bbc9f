import type { LoggerService } from '@nestjs/common';
import type { BatchConsumer } from '@smartlink/messaging';
import type { LogWriterCounters } from '../metrics/log-writer-counters';
import { abortableDelay } from '@smartlink/common';
import { LogWriterStoppingError } from './log-writer-stopping-error';

/** What the gate pauses and resumes: the consumer of `<ns>.logs`. */
export type PausableConsumer = Pick<BatchConsumer, 'pause' | 'resume'>;

/** How the gate waits. */
export interface DatabaseWriteGateTiming {
  /** Wait before the first probe after a failed write; doubles per failure in a row. */
  readonly retryInitialMs: number;
  /** The longest wait between two probes. */
  readonly retryMaxMs: number;
  /** How often a chunk waiting at the closed gate tells the consumer group it is alive. */
  readonly heartbeatEveryMs: number;
}

/** What {@link DatabaseWriteGate} works with; narrow, so unit tests pass typed doubles. */
export interface DatabaseWriteGateDeps {
  /** True when the database answers (`SELECT 1` within its timeout); never throws. */
  readonly probe: () => Promise<boolean>;
  readonly counters: Pick<LogWriterCounters, 'failedInserts' | 'outages'>;
  readonly logger: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** The topic whose consumption is paused, for the log lines. */
  readonly topic: string;
  readonly timing: DatabaseWriteGateTiming;
}

/**
 * Keeps the log-writer from hammering a database that does not take writes, and from taking more records than it can
 * store. A failed insert closes the gate: consumption of `<ns>.logs` pauses (nothing more is fetched), the chunk in
 * hand waits uncommitted, and the database is probed in the background with a growing backoff. When a probe answers,
 * the gate opens: consumption resumes and waiting chunks write again; one that fails again closes it again with a
 * longer wait. The outage ends with the first successful write. Waiting costs no CPU: timers, no loop.
 *
 * Nothing is lost: a chunk is committed only after its insert succeeded; one that is still waiting at shutdown, or
 * whose consumer group rebalances meanwhile, is handed back uncommitted and delivered again.
 */
export class DatabaseWriteGate {
  private consumer: PausableConsumer | null = null;
  /** Open: chunks write and the consumer fetches. Closed: consumption is paused and chunks wait. */
  private open = true;
  private outageSince: number | null = null;
  private failuresInARow = 0;
  private reopened: Promise<void> = Promise.resolve();
  private reopen: () => void = () => undefined;
  private probing: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(private readonly deps: DatabaseWriteGateDeps) {}

  /** The consumer to pause and resume; until it is attached, the gate only holds chunks. */
  attach(consumer: PausableConsumer): void {
    this.consumer = consumer;
    if (!this.open) this.pauseConsumer();
  }

  /** False from the first failed write until the next successful one: readiness reports the database down. */
  takesWrites(): boolean {
    return this.outageSince === null;
  }

  /** For readiness details. */
  details(): { failuresInARow: number; outageSince: string | null; consuming: boolean } {
    return {
      failuresInARow: this.failuresInARow,
      outageSince: this.outageSince === null ? null : new Date(this.outageSince).toISOString(),
      consuming: this.open,
    };
  }

  /**
   * Resolves once the gate is open: at once while the database takes writes. While it waits it calls `heartbeat`
   * every few seconds; if that throws (the group is rebalancing), so does this, and the caller hands its chunk back.
   * Rejects with {@link LogWriterStoppingError} when the service stops.
   */
  async whenOpen(heartbeat: () => Promise<void>): Promise<void> {
    while (!this.open) {
      const tick = new AbortController();
      try {
        await Promise.race([
          this.reopened,
          abortableDelay(
            this.deps.timing.heartbeatEveryMs,
            AbortSignal.any([this.stopping.signal, tick.signal]),
          ),
        ]);
      } catch (error) {
        if (this.stopping.signal.aborted) throw new LogWriterStoppingError();
        throw error;
      } finally {
        tick.abort();
      }
      if (!this.open) await heartbeat();
    }
    if (this.stopping.signal.aborted) throw new LogWriterStoppingError();
  }

  /** A write of `rows` records failed with `error`: closes the gate and probes the database until it answers. */
  failed(error: unknown, rows: number): void {
    const { counters, logger, now, topic } = this.deps;
    counters.failedInserts += 1;
    this.failuresInARow += 1;
    const reason = error instanceof Error ? error.message : String(error);
    if (this.outageSince === null) {
      this.outageSince = now();
      counters.outages += 1;
      logger.error(
        `Writing ${rows} log records to GTOTVSLINKLOG failed: ${reason}. Consumption of ${topic} pauses and ` +
          'nothing is committed until the database takes writes again; the database is probed meanwhile',
      );
    } else {
      logger.warn(
        `Writing ${rows} log records to GTOTVSLINKLOG failed again (${this.failuresInARow} in a row): ${reason}`,
      );
    }
    this.close();
  }

  /** A write succeeded: ends the outage, if there was one. */
  succeeded(): void {
    this.failuresInARow = 0;
    if (this.outageSince === null) return;
    const lasted = this.deps.now() - this.outageSince;
    this.outageSince = null;
    this.openGate();
    this.deps.logger.log(
      `GTOTVSLINKLOG takes writes again after ${lasted} ms; consumption of ${this.deps.topic} goes on`,
    );
  }

  /** Stops probing and turns every wait at the gate into a {@link LogWriterStoppingError}. */
  stop(): void {
    this.stopping.abort(new LogWriterStoppingError());
  }

  private close(): void {
    if (this.stopping.signal.aborted) return;
    if (this.open) {
      this.open = false;
      this.reopened = new Promise<void>((resolve) => {
        this.reopen = resolve;
      });
      this.pauseConsumer();
    }
    this.probing ??= this.probeUntilAnswered().finally(() => {
      this.probing = null;
    });
  }

  private openGate(): void {
    if (this.open) return;
    this.open = true;
    try {
      this.consumer?.resume();
    } catch (error) {
      this.deps.logger.warn(`Could not resume consuming ${this.deps.topic}: ${messageOf(error)}`);
    }
    this.reopen();
  }

  private async probeUntilAnswered(): Promise<void> {
    const { probe, timing } = this.deps;
    for (let round = 0; ; round += 1) {
      const exponent = Math.min(this.failuresInARow - 1 + round, 30);
      const wait = Math.min(timing.retryInitialMs * 2 ** Math.max(exponent, 0), timing.retryMaxMs);
      try {
        await abortableDelay(wait, this.stopping.signal);
      } catch {
        return; // stopping
      }
      if (await probe()) {
        // Open for a try: if the write fails again, `failed` closes the gate with a longer wait.
        this.openGate();
        return;
      }
    }
  }

  private pauseConsumer(): void {
    try {
      this.consumer?.pause();
    } catch (error) {
      // Not yet running: the chunk in hand still waits, and nothing is committed.
      this.deps.logger.warn(`Could not pause consuming ${this.deps.topic}: ${messageOf(error)}`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
