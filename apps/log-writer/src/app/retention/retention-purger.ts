import type { LoggerService } from '@nestjs/common';
import type { KafkaLease } from '@smartlink/messaging';
import type { LogStore, MessageExecStore, PurgeInput } from '@smartlink/rm-tables';
import type { RetentionSettings } from '../log-writer-settings';
import type { LogWriterCounters } from '../metrics/log-writer-counters';
import type { Clock } from '@smartlink/common';

const DAY_MS = 86_400_000;

/** What one purge run removed. */
export interface PurgeSummary {
  /** GTOTVSLINKMESSAGEEXEC rows finished before {@link attemptsBefore}. */
  readonly attempts: number;
  readonly attemptsBefore: Date;
  /** GTOTVSLINKLOG rows dated before {@link logsBefore}. */
  readonly logs: number;
  readonly logsBefore: Date;
  /** Delete statements run. */
  readonly statements: number;
  readonly durationMs: number;
  /** False when the run stopped early (lease lost, shutdown); the next run goes on from there. */
  readonly complete: boolean;
}

/** What {@link RetentionPurger} works with; narrow, so unit tests pass typed doubles. */
export interface RetentionPurgerDeps {
  readonly attempts: Pick<MessageExecStore, 'purgeFinishedBefore'>;
  readonly logs: Pick<LogStore, 'purgeBefore'>;
  /** Only the holder purges: one purger at a time across replicas. */
  readonly lease: Pick<KafkaLease, 'isHeld'>;
  readonly counters: Pick<LogWriterCounters, 'purgeRuns' | 'purgedAttempts' | 'purgedLogs'>;
  readonly clock: Clock;
  /** Waits between two chunks; rejects when `signal` aborts. */
  readonly pause: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly logger: Pick<LoggerService, 'log' | 'debug'>;
  readonly settings: Pick<
    RetentionSettings,
    'execRetentionDays' | 'logRetentionDays' | 'chunkSize' | 'chunkPauseMs'
  >;
}

/**
 * The retention purge RM's documentation asks for (seed §05): removes GTOTVSLINKMESSAGEEXEC rows that finished, and
 * GTOTVSLINKLOG rows dated, more than the retention days ago — strictly before the cutoff, so a row exactly at it
 * stays. It deletes in chunks of `chunkSize` rows, one short statement each with a pause between, until a chunk
 * deletes nothing, so no statement holds its locks for long. The stores never touch the history or the logs of a
 * message still in GTOTVSLINKMESSAGE (pending, dispatched, waiting retry or dead). Each chunk first checks the lease,
 * so a replica that lost it stops within one statement.
 */
export class RetentionPurger {
  constructor(private readonly deps: RetentionPurgerDeps) {}

  /** One run; `null` when this replica does not hold the purger lease. Database errors propagate. */
  async run(signal: AbortSignal): Promise<PurgeSummary | null> {
    const { lease, clock, counters, settings, logger } = this.deps;
    if (!lease.isHeld()) {
      logger.debug?.('Retention purge skipped: another replica holds the purger lease');
      return null;
    }
    const startedAt = clock.now();
    const attemptsBefore = new Date(startedAt.getTime() - settings.execRetentionDays * DAY_MS);
    const logsBefore = new Date(startedAt.getTime() - settings.logRetentionDays * DAY_MS);
    counters.purgeRuns += 1;

    const attempts = await this.purgeTable(
      (input) => this.deps.attempts.purgeFinishedBefore(input),
      attemptsBefore,
      signal,
      (n) => (counters.purgedAttempts += n),
    );
    const logs = attempts.complete
      ? await this.purgeTable(
          (input) => this.deps.logs.purgeBefore(input),
          logsBefore,
          signal,
          (n) => (counters.purgedLogs += n),
        )
      : { deleted: 0, statements: 0, complete: false };

    const summary: PurgeSummary = {
      attempts: attempts.deleted,
      attemptsBefore,
      logs: logs.deleted,
      logsBefore,
      statements: attempts.statements + logs.statements,
      durationMs: clock.now().getTime() - startedAt.getTime(),
      complete: logs.complete,
    };
    logger.log(
      `Retention purge ${summary.complete ? 'done' : 'stopped early (lease lost or shutting down); the next run goes on'}: ` +
        `${summary.attempts} GTOTVSLINKMESSAGEEXEC rows finished before ${attemptsBefore.toISOString()} ` +
        `(${settings.execRetentionDays} days) and ${summary.logs} GTOTVSLINKLOG rows dated before ` +
        `${logsBefore.toISOString()} (${settings.logRetentionDays} days) removed in ${summary.statements} ` +
        `statements of up to ${settings.chunkSize} rows, ${summary.durationMs} ms`,
    );
    return summary;
  }

  private async purgeTable(
    purge: (input: PurgeInput) => Promise<number>,
    before: Date,
    signal: AbortSignal,
    count: (deleted: number) => void,
  ): Promise<{ deleted: number; statements: number; complete: boolean }> {
    const { lease, settings } = this.deps;
    let deleted = 0;
    let statements = 0;
    for (;;) {
      if (signal.aborted || !lease.isHeld()) return { deleted, statements, complete: false };
      const chunk = await purge({ before, limit: settings.chunkSize });
      statements += 1;
      deleted += chunk;
      count(chunk);
      if (chunk === 0) return { deleted, statements, complete: true };
      try {
        await this.deps.pause(settings.chunkPauseMs, signal);
      } catch {
        return { deleted, statements, complete: false };
      }
    }
  }
}
