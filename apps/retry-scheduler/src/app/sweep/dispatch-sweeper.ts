import type { LoggerService } from '@nestjs/common';
import {
  lostDuringHandlerError,
  type EventProducer,
  type EventRecord,
  type TopicNames,
} from '@smartlink/messaging';
import {
  AttemptStatus,
  MessageStatus,
  type FailedAttemptUpdate,
  type MessageEntity,
  type MessageExecStore,
  type MessageStore,
  type NewAttempt,
} from '@smartlink/rm-tables';
import type { Clock } from '@smartlink/common';
import type { RetrySchedulerCounters } from '../metrics/retry-scheduler-counters';
import { failedAttemptRecords } from '../records/scheduler-records';

/** What {@link DispatchSweeper} works with; narrow, so unit tests pass typed doubles. */
export interface DispatchSweeperDeps {
  readonly messages: Pick<
    MessageStore,
    'claimTimedOut' | 'claimOverdueStarted' | 'claimUnplanned' | 'recordFailedAttempts'
  >;
  readonly attempts: Pick<MessageExecStore, 'insertIgnoringDuplicates'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'events' | 'logs'>;
  readonly counters: RetrySchedulerCounters;
  readonly clock: Clock;
  readonly logger: LoggerService;
  readonly batchSize: number;
  /** A dispatched message with no outcome for this long: its attempt counts as failed. */
  readonly dispatchTimeoutMs: number;
  /** A recorded failure unplanned for this long lost its `failed` event: announce it again. */
  readonly unplannedGraceMs: number;
}

/**
 * Finds attempts that will never report back and failures nobody planned, and turns both into `failed` events that
 * the failure handler plans from like any other:
 * - a message dispatched longer than the dispatch timeout ago with no outcome (a lost command message, a segment that
 *   died mid-attempt, an executor that crashed mid-send), or stored pending that long and never handed over (a service
 *   that stopped between storing and dispatching it, its input already committed): its attempt (`TENTATIVAS + 1`) is recorded as failed in
 *   GTOTVSLINKMESSAGEEXEC — once, the (message id, attempt) key absorbs a late real outcome or a second sweeper — and
 *   on the row (waiting retry, unplanned), then announced;
 * - a row left waiting retry without `DATATENTATIVAEXEC` for longer than the grace: its `failed` event was lost
 *   between recording and announcing (a crash), so it is announced again.
 * Rows are claimed (their `DATAATUALIZACAO` renewed) so replicas never sweep the same one.
 */
export class DispatchSweeper {
  constructor(private readonly deps: DispatchSweeperDeps) {}

  /** One sweep of each kind; resolves with what it found. */
  async sweep(): Promise<{ timedOut: number; lost: number; unplanned: number }> {
    const timedOut = await this.sweepTimedOut();
    const lost = await this.sweepOverdueStarted();
    const unplanned = await this.sweepUnplanned();
    return { timedOut, lost, unplanned };
  }

  /**
   * Started attempts (their segment sent a started marker) whose outcome due time passed: the handler's process
   * ended or stopped answering while it ran. Each is recorded as failed with its real start as `DATAINICIO` and an
   * error that says so ({@link lostDuringHandlerError}); the claim re-arms the due time, so a crash here finds them
   * again.
   */
  private async sweepOverdueStarted(): Promise<number> {
    const { messages, attempts, clock, batchSize, dispatchTimeoutMs } = this.deps;
    const now = clock.now();
    const rows = await messages.claimOverdueStarted({
      now,
      reclaimAt: new Date(now.getTime() + dispatchTimeoutMs),
      limit: batchSize,
    });
    if (rows.length === 0) return 0;
    const errorOf = (row: MessageEntity) =>
      lostDuringHandlerError({ attempt: row.attempts + 1, startedAt: row.updatedAt, outcomeDueBy: now });
    const lost: NewAttempt[] = rows.map((row) => ({
      messageId: row.id,
      direction: row.direction,
      command: row.command,
      attempt: row.attempts + 1,
      status: AttemptStatus.Failure,
      startedAt: row.updatedAt,
      finishedAt: now,
      error: errorOf(row),
      data: row.data,
    }));
    const written = new Set(
      (await attempts.insertIgnoringDuplicates(lost)).map((a) => `${a.attempt}:${a.messageId}`),
    );
    const ours = rows.filter((row) => written.has(`${row.attempts + 1}:${row.id}`));
    if (ours.length === 0) return 0;
    const changed = new Set(
      await messages.recordFailedAttempts(
        ours.map((row) => ({
          id: row.id,
          attempt: row.attempts + 1,
          status: MessageStatus.WaitingRetry,
          nextAttemptAt: null,
          lastError: errorOf(row),
          now,
        })),
      ),
    );
    const announced = ours.filter((row) => changed.has(row.id));
    await this.announce(
      announced.map((row) => failedAttemptRecords(row, row.attempts + 1, errorOf(row), row.updatedAt, now)),
    );
    this.deps.counters.timedOut += announced.length;
    if (announced.length > 0) {
      this.deps.logger.warn(
        `${announced.length} started attempt(s) reported no outcome by their due time (the handler's process ` +
          'ended or stopped answering): recorded as failed',
      );
    }
    return announced.length;
  }

  private async sweepTimedOut(): Promise<number> {
    const { messages, attempts, clock, batchSize, dispatchTimeoutMs } = this.deps;
    const now = clock.now();
    const rows = await messages.claimTimedOut({
      now,
      dispatchedBefore: new Date(now.getTime() - dispatchTimeoutMs),
      limit: batchSize,
    });
    if (rows.length === 0) return 0;
    const errorOf = (row: MessageEntity) =>
      row.status === MessageStatus.Pending
        ? `not handed over within ${dispatchTimeoutMs} ms: the message was stored and never dispatched`
        : `no outcome within ${dispatchTimeoutMs} ms: the attempt was dispatched and never reported back`;
    // DATAINICIO: the exact dispatch time is gone (the claim renewed DATAATUALIZACAO); it was at least the timeout ago.
    const startedAt = new Date(now.getTime() - dispatchTimeoutMs);
    const lost: NewAttempt[] = rows.map((row) => ({
      messageId: row.id,
      direction: row.direction,
      command: row.command,
      attempt: row.attempts + 1,
      status: AttemptStatus.Failure,
      startedAt,
      finishedAt: now,
      error: errorOf(row),
      data: row.data,
    }));
    const written = new Set(
      (await attempts.insertIgnoringDuplicates(lost)).map((a) => `${a.attempt}:${a.messageId}`),
    );
    // An attempt whose real outcome was recorded meanwhile is the executor's to apply.
    const ours = rows.filter((row) => written.has(`${row.attempts + 1}:${row.id}`));
    if (ours.length === 0) return 0;
    const updates: FailedAttemptUpdate[] = ours.map((row) => ({
      id: row.id,
      attempt: row.attempts + 1,
      status: MessageStatus.WaitingRetry,
      nextAttemptAt: null,
      lastError: errorOf(row),
      now,
    }));
    const changed = new Set(await messages.recordFailedAttempts(updates));
    const announced = ours.filter((row) => changed.has(row.id));
    await this.announce(
      announced.map((row) => failedAttemptRecords(row, row.attempts + 1, errorOf(row), startedAt, now)),
    );
    this.deps.counters.timedOut += announced.length;
    if (announced.length > 0) {
      this.deps.logger.warn(
        `${announced.length} message(s) stalled for ${dispatchTimeoutMs} ms (dispatched without an outcome, or ` +
          'stored and never dispatched): their attempts are recorded as failed',
      );
    }
    return announced.length;
  }

  private async sweepUnplanned(): Promise<number> {
    const { messages, clock, batchSize, unplannedGraceMs } = this.deps;
    const now = clock.now();
    const rows: MessageEntity[] = await messages.claimUnplanned({
      now,
      failedBefore: new Date(now.getTime() - unplannedGraceMs),
      limit: batchSize,
    });
    if (rows.length === 0) return 0;
    this.deps.logger.warn(
      `${rows.length} failed message(s) were never planned (their failed event was lost); announcing them again`,
    );
    // Only the event: the failure and its log were written when it was first recorded.
    const records = rows.map((row) =>
      failedAttemptRecords(row, row.attempts, row.lastError ?? 'the attempt failed', now, now),
    );
    await this.deps.producer.sendBatch([
      { topic: this.deps.topics.events, records: records.map((r) => r.event) },
    ]);
    this.deps.counters.unplannedAnnounced += rows.length;
    return rows.length;
  }

  private async announce(records: readonly { event: EventRecord; log: EventRecord }[]): Promise<void> {
    await this.deps.producer.sendBatch([
      { topic: this.deps.topics.events, records: records.map((r) => r.event) },
      { topic: this.deps.topics.logs, records: records.map((r) => r.log) },
    ]);
  }
}
