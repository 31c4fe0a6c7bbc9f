import type { LoggerService } from '@nestjs/common';
import { abortableDelay } from '@smartlink/common';

/** How the hold waits for the database. */
export interface DatabaseOutageHoldTiming {
  /** Wait before the first probe after a failed chunk; doubles per probe that finds the database still down. */
  readonly retryInitialMs: number;
  /** The longest wait between two probes: the most a chunk waits after the database is back. */
  readonly retryMaxMs: number;
}

/** Defaults of {@link DatabaseOutageHoldTiming}: a chunk resumes at most one second after the database is back. */
export const DATABASE_OUTAGE_HOLD_TIMING: DatabaseOutageHoldTiming = {
  retryInitialMs: 250,
  retryMaxMs: 1_000,
};

/** What {@link DatabaseOutageHold} works with; narrow, so unit tests pass typed doubles. */
export interface DatabaseOutageHoldDeps {
  /** True when the database answers (`SELECT 1` within its timeout); never throws. */
  readonly probe: () => Promise<boolean>;
  readonly logger: Pick<LoggerService, 'log' | 'warn'>;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly timing: DatabaseOutageHoldTiming;
  /** Waits `ms` unless `signal` aborts first (then rejects); default `abortableDelay`, tests pass their own. */
  readonly delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Holds a chunk whose handler failed while the database is down, instead of handing the failure to kafkajs.
 *
 * Thrown to kafkajs, a failure is retried a few times with backoff (KAFKA_RETRIES) and then crashes the consumer,
 * which leaves its group (the partitions are reassigned) and is restarted after a backoff of its own that knows
 * nothing of the database: after a database crash of more than a few seconds the executor stayed idle and not ready
 * for 10 to 15 s after the database was back (the db-crash reliability case measured it). Consumers whose handlers
 * write the RM tables (executor, retry scheduler) run their chunks through it. Held here, the chunk stays
 * uncommitted in the member's hands (it heartbeats, so the group keeps it), the database is probed with a short,
 * capped backoff, and the chunk is handled again as soon as a probe answers. A failure while the database answers is
 * not an outage: it is thrown at once, as before. Handlers are idempotent (every chunk may be delivered again), so
 * running a chunk again after a partial failure is what a redelivery would do.
 *
 * Readiness is unchanged: it probes the database itself and reports it down for the whole outage.
 */
export class DatabaseOutageHold {
  private outageSince: number | null = null;
  private readonly stopping = new AbortController();

  constructor(private readonly deps: DatabaseOutageHoldDeps) {}

  /**
   * Runs `work`; if it throws while the database does not answer, waits for the database (calling `heartbeat` between
   * probes) and runs it again, as often as needed. Throws the work's error when the database answers (not an outage)
   * or the service stops; throws what `heartbeat` throws (the group is rebalancing: the chunk is handed back).
   */
  async run(work: () => Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
    for (;;) {
      try {
        await work();
        this.endOutage();
        return;
      } catch (error) {
        if (this.stopping.signal.aborted || (await this.deps.probe())) throw error;
        this.startOutage(error);
        await this.untilDatabaseAnswers(heartbeat, error);
      }
    }
  }

  /** Shutdown: chunks held now (and later failures) are thrown to the consumer, which hands them back uncommitted. */
  stop(): void {
    this.stopping.abort();
  }

  private async untilDatabaseAnswers(heartbeat: () => Promise<void>, cause: unknown): Promise<void> {
    const { timing, probe } = this.deps;
    const delay = this.deps.delay ?? abortableDelay;
    for (let round = 0; ; round += 1) {
      try {
        await delay(
          Math.min(timing.retryInitialMs * 2 ** Math.min(round, 30), timing.retryMaxMs),
          this.stopping.signal,
        );
      } catch {
        throw cause; // stopping: the consumer hands the chunk back
      }
      await heartbeat();
      if (await probe()) return;
    }
  }

  private startOutage(error: unknown): void {
    if (this.outageSince !== null) return;
    this.outageSince = this.deps.now();
    this.deps.logger.warn(
      `The database does not answer (${error instanceof Error ? error.message : String(error)}); chunks that fail ` +
        'wait uncommitted and run again as soon as it answers',
    );
  }

  private endOutage(): void {
    if (this.outageSince === null) return;
    this.deps.logger.log(
      `The database answers again after ${this.deps.now() - this.outageSince} ms; held chunks go on`,
    );
    this.outageSince = null;
  }
}
