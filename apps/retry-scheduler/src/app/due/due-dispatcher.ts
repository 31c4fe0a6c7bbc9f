import type { LoggerService } from '@nestjs/common';
import { type Clock, crashPoint } from '@smartlink/common';
import type { EventProducer, TopicNames } from '@smartlink/messaging';
import type { MessageStore } from '@smartlink/rm-tables';
import type { RetrySchedulerCounters } from '../metrics/retry-scheduler-counters';
import type { RetrySchedulerMetrics } from '../metrics/retry-scheduler-metrics';
import { retryDueRecord } from '../records/scheduler-records';

/** What {@link DueDispatcher} works with; narrow, so unit tests pass typed doubles. */
export interface DueDispatcherDeps {
  readonly messages: Pick<MessageStore, 'claimDue' | 'releaseClaims'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'events'>;
  readonly counters: RetrySchedulerCounters;
  /** How late each claim was, for Prometheus. */
  readonly metrics?: Pick<RetrySchedulerMetrics, 'claimed'>;
  readonly clock: Clock;
  readonly logger: LoggerService;
  /** Rows taken per claim. */
  readonly batchSize: number;
}

/**
 * Runs retries when they fall due: claims the due rows (`DATATENTATIVAEXEC <= now`, marked dispatched in the same
 * statement, so replicas never take the same row) and announces each on `<ns>.events` as `retry-due` with attempt
 * `TENTATIVAS + 1` and `dueAt` = `DATATENTATIVAEXEC`; the executor publishes it to the segment (downstream) or sends
 * it to the cloud (upstream). If the announcement cannot be published the claim is handed back, still due. A crash
 * between claim and announcement leaves the rows dispatched with no outcome: the sweep times them out as a failed
 * attempt, so the message is never lost, only one attempt spent.
 */
export class DueDispatcher {
  constructor(private readonly deps: DueDispatcherDeps) {}

  /**
   * One claim and its announcement. Resolves with the number of rows claimed; a full batch means more may be due
   * already, and the loop claims again at once.
   */
  async dispatchDue(): Promise<{ claimed: number; full: boolean }> {
    const { messages, producer, topics, counters, clock, batchSize } = this.deps;
    const claimedAt = clock.now();
    const rows = await messages.claimDue({ now: claimedAt, limit: batchSize });
    if (rows.length === 0) return { claimed: 0, full: false };
    crashPoint('retry-scheduler.after-claim');
    try {
      await producer.sendBatch([
        { topic: topics.events, records: rows.map((row) => retryDueRecord(row, claimedAt)) },
      ]);
    } catch (error) {
      await this.release(
        rows.map((row) => row.id),
        claimedAt,
      );
      throw error;
    }
    counters.retriesDue += rows.length;
    for (const row of rows) {
      const lateness = claimedAt.getTime() - (row.nextAttemptAt ?? claimedAt).getTime();
      counters.latenessTotalMs += lateness;
      counters.latenessMaxMs = Math.max(counters.latenessMaxMs, lateness);
      this.deps.metrics?.claimed(lateness);
    }
    return { claimed: rows.length, full: rows.length === batchSize };
  }

  private async release(ids: string[], claimedAt: Date): Promise<void> {
    try {
      const released = await this.deps.messages.releaseClaims({ ids, claimedAt, now: this.deps.clock.now() });
      this.deps.counters.claimsReleased += released.length;
      this.deps.logger.warn(
        `Could not announce ${ids.length} due retr${ids.length === 1 ? 'y' : 'ies'}; ${released.length} handed back to run later`,
      );
    } catch (error) {
      // The rows stay dispatched: the sweep times them out as failed attempts, and they run again after that.
      this.deps.logger.error(
        `Could not hand ${ids.length} claimed retr${ids.length === 1 ? 'y' : 'ies'} back (${messageOf(error)}); ` +
          'the dispatch timeout will count them as failed attempts',
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
