import type { LoggerService } from '@nestjs/common';
import type { BatchContext, ConsumedMessage } from '@smartlink/messaging';
import type { LogStore, NewLog } from '@smartlink/rm-tables';
import type { LogWriterCounters } from '../metrics/log-writer-counters';
import { crashPoint, type Clock } from '@smartlink/common';
import type { DatabaseWriteGate } from './database-write-gate';
import { InsertTimeoutError } from './insert-timeout-error';
import { LogWriterStoppingError } from './log-writer-stopping-error';
import { readLogRecords } from './read-log-records';

/** How long an insert may take. */
export interface LogBatchHandlerTiming {
  /** An insert without an answer for this long counts as failed. */
  readonly insertTimeoutMs: number;
  /** How often the member heartbeats during a long insert. */
  readonly heartbeatEveryMs: number;
  /** At shutdown, how long an insert in flight may still take before its chunk is handed back. */
  readonly shutdownGraceMs: number;
}

/** What {@link LogBatchHandler} works with; narrow, so unit tests pass typed doubles. */
export interface LogBatchHandlerDeps {
  readonly logs: Pick<LogStore, 'insert'>;
  readonly gate: Pick<DatabaseWriteGate, 'whenOpen' | 'failed' | 'succeeded' | 'stop'>;
  readonly counters: LogWriterCounters;
  readonly clock: Clock;
  readonly logger: Pick<LoggerService, 'warn'>;
  readonly timing: LogBatchHandlerTiming;
}

/**
 * Consumes `<ns>.logs`: each chunk becomes GTOTVSLINKLOG rows in one insert (split only where the database's parameter
 * limit demands), and {@link handle} resolves, so the offsets commit, only once they are stored. A record that is not
 * a log record is counted, reported with its position and skipped; one with a value no column can hold is repaired
 * (see `toStorableLog`). A failed insert never drops the chunk: it waits at the {@link DatabaseWriteGate} until the
 * database answers, then is written again (at-least-once: an insert that failed after it committed repeats its rows).
 */
export class LogBatchHandler {
  private readonly stopping = new AbortController();

  constructor(private readonly deps: LogBatchHandlerDeps) {}

  /** Handles one chunk; resolves once its rows are stored. */
  async handle(records: readonly ConsumedMessage[], context: Pick<BatchContext, 'heartbeat'>): Promise<void> {
    const { counters, logger, gate } = this.deps;
    counters.consumed += records.length;
    const { rows, undecodable, repaired } = readLogRecords(records, this.deps.clock.now());
    counters.undecodable += undecodable.length;
    counters.repaired += repaired.length;
    for (const { record, reason } of undecodable) {
      logger.warn(`Skipped a record that is not a log record, at ${positionOf(record)}: ${reason}`);
    }
    for (const { record, repairs } of repaired) {
      logger.warn(`Repaired the log record at ${positionOf(record)} to store it: ${repairs.join('; ')}`);
    }
    if (rows.length === 0) return;

    for (;;) {
      try {
        await gate.whenOpen(context.heartbeat);
        const result = await this.insert(rows, context.heartbeat);
        if (result.ok) {
          crashPoint('log-writer.after-insert');
          counters.written += result.written;
          counters.insertBatches += 1;
          gate.succeeded();
          return;
        }
        gate.failed(result.error, rows.length);
      } catch (error) {
        // Stopping, or a heartbeat saw the group rebalance: the chunk is handed back uncommitted.
        if (error instanceof LogWriterStoppingError) {
          logger.warn(
            `Stopping with ${rows.length} log records not stored; they stay uncommitted on ${records[0]?.topic} ` +
              'and whoever consumes it next writes them',
          );
        }
        throw error;
      }
    }
  }

  /**
   * Shutdown: stops waiting for the database; an insert in flight gets a short grace. Chunks not stored by then are
   * handed back uncommitted.
   */
  stop(): void {
    this.stopping.abort();
    this.deps.gate.stop();
  }

  /**
   * One insert, bounded in time: a stalled connection must not hold the chunk (and shutdown) forever. The member
   * heartbeats meanwhile, since kafkajs only does when asked. A failed or timed-out insert is a result, not a throw:
   * only stopping throws ({@link LogWriterStoppingError}).
   */
  private async insert(rows: readonly NewLog[], heartbeat: () => Promise<void>): Promise<InsertResult> {
    const { insertTimeoutMs, heartbeatEveryMs, shutdownGraceMs } = this.deps.timing;
    if (this.stopping.signal.aborted) throw new LogWriterStoppingError();
    const timers: NodeJS.Timeout[] = [];
    let onStop: (() => void) | undefined;
    const beat = setInterval(() => {
      // A failed heartbeat (rebalance) surfaces at the commit that follows; the insert itself is not cut short.
      heartbeat().catch(() => undefined);
    }, heartbeatEveryMs);
    try {
      const insert = this.deps.logs.insert(rows).then(
        (written): InsertResult => ({ ok: true, written }),
        (error: unknown): InsertResult => ({ ok: false, error }),
      );
      const deadline = new Promise<InsertResult>((resolve, reject) => {
        timers.push(
          setTimeout(
            () => resolve({ ok: false, error: new InsertTimeoutError(insertTimeoutMs) }),
            insertTimeoutMs,
          ),
        );
        onStop = () => timers.push(setTimeout(() => reject(new LogWriterStoppingError()), shutdownGraceMs));
        this.stopping.signal.addEventListener('abort', onStop, { once: true });
      });
      // An abandoned insert may still finish or fail later; nobody waits for it, and the chunk is written again.
      return await Promise.race([insert, deadline]);
    } finally {
      clearInterval(beat);
      timers.forEach(clearTimeout);
      if (onStop) this.stopping.signal.removeEventListener('abort', onStop);
    }
  }
}

/** What one insert came to. */
type InsertResult =
  { readonly ok: true; readonly written: number } | { readonly ok: false; readonly error: unknown };

function positionOf(record: ConsumedMessage): string {
  return `${record.topic}[${record.partition}]@${record.offset}`;
}
