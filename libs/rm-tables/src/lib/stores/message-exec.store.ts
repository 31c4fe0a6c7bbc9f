import { In, type DataSource } from 'typeorm';
import { AttemptStatus } from '../entities/attempt-status';
import { MessageExecEntity, type InsertedAttempt, type NewAttempt } from '../entities/message-exec.entity';
import type { MessageDirection } from '../entities/message-direction';
import { rmSqlDialectOf } from '../sql/create-rm-sql-dialect';
import type { NewLog } from '../entities/log.entity';
import { ATTEMPT_PARAMETERS_PER_ROW, LOG_COLUMNS } from '../sql/rm-rows';
import type { PurgeInput, RmSqlDialect, RmSqlStatement } from '../sql/rm-sql-dialect';
import { assertLimit, batches, compareText, inKeyOrder, uniqueBy } from './batches';
import { RmStatementRunner, type RmStatementResult } from './rm-statement-runner';

/** A GTOTVSLINKLOG row that belongs to one attempt: written only with that attempt's history row. */
export interface AttemptLog {
  readonly messageId: string;
  readonly attempt: number;
  readonly log: NewLog;
}

/**
 * `GTOTVSLINKMESSAGEEXEC`: the attempt history. Rows are written once per (message id, attempt), so a redelivered
 * outcome is absorbed, and removed only by the retention purge.
 */
export class MessageExecStore {
  private readonly runner: RmStatementRunner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: RmSqlDialect = rmSqlDialectOf(dataSource.options),
  ) {
    this.runner = new RmStatementRunner(dataSource);
  }

  /**
   * Inserts attempts and returns the keys of those it wrote, in key order. An attempt whose (message id, attempt) is
   * stored already, or came earlier in the batch, is a redelivered outcome: skipped and left out of the result, so
   * the caller acts on each outcome once.
   *
   * `logs` are GTOTVSLINKLOG rows that belong to an attempt (its log lines): each is written only when its attempt's
   * row is written now, in the same transaction, so a redelivered attempt adds no log rows and a crash leaves either
   * both or neither. Without logs, each statement commits on its own as before.
   */
  async insertIgnoringDuplicates(
    attempts: readonly NewAttempt[],
    logs: readonly AttemptLog[] = [],
  ): Promise<InsertedAttempt[]> {
    const rows = inKeyOrder(
      uniqueBy(attempts, (a) => `${a.attempt}:${a.messageId}`),
      (a, b) => compareText(a.messageId, b.messageId) || a.attempt - b.attempt,
    );
    const insert = async (run: (statement: RmSqlStatement) => Promise<RmStatementResult>) => {
      const inserted: InsertedAttempt[] = [];
      for (const batch of batches(rows, this.dialect.rowsPerStatement(ATTEMPT_PARAMETERS_PER_ROW))) {
        const { records } = await run(this.dialect.insertAttempts(batch));
        inserted.push(
          ...records.map((r) => ({
            id: String(r['ID']),
            messageId: String(r['IDMENSAGEM']),
            attempt: Number(r['TENTATIVA']),
          })),
        );
      }
      if (logs.length > 0) {
        const fresh = new Set(inserted.map((i) => `${i.attempt}:${i.messageId}`));
        const rowsOfFresh = logs.filter((l) => fresh.has(`${l.attempt}:${l.messageId}`)).map((l) => l.log);
        for (const batch of batches(rowsOfFresh, this.dialect.rowsPerStatement(LOG_COLUMNS.length))) {
          await run(this.dialect.insertLogs(batch));
        }
      }
      return inserted.sort((a, b) => compareText(a.messageId, b.messageId) || a.attempt - b.attempt);
    };
    if (logs.length === 0) return insert((statement) => this.runner.run('insert attempts', statement));
    return this.runner.transaction('insert attempts and their logs', insert);
  }

  /**
   * Deletes at most `limit` attempts that finished before `before`, sparing every attempt whose message is still in
   * `GTOTVSLINKMESSAGE` (pending, retrying or dead). Returns how many it deleted: call again until it returns 0.
   */
  async purgeFinishedBefore(input: PurgeInput): Promise<number> {
    assertLimit(input.limit);
    if (input.limit === 0) return 0;
    return (await this.runner.run('purge attempts', this.dialect.purgeAttempts(input))).affected;
  }

  /**
   * The ids among `ids` that have a successful attempt: a message seen again after it succeeded is recognised by
   * them and never executed again. Returned in id order.
   */
  async findSucceededMessageIds(ids: readonly string[]): Promise<string[]> {
    const repository = this.dataSource.getRepository(MessageExecEntity);
    const found = new Set<string>();
    // One parameter more than the ids: the status.
    for (const batch of batches([...new Set(ids)], this.dialect.rowsPerStatement(1) - 1)) {
      const rows = await this.runner.read('find succeeded messages', () =>
        repository.find({
          select: { messageId: true },
          where: { messageId: In(batch), status: AttemptStatus.Success },
        }),
      );
      for (const row of rows) found.add(row.messageId);
    }
    return [...found].sort(compareText);
  }

  /**
   * The attempts that failed (retryable or fatal) and finished at or after `since`, counted by direction, command
   * and status, each group with its latest finish; ordered by direction, command, status.
   */
  async countFailedSince(since: Date): Promise<FailedAttemptCount[]> {
    const { records } = await this.runner.run(
      'count failed attempts',
      this.dialect.countFailedAttempts({ since }),
    );
    return records
      .map((r) => ({
        direction: Number(r['DIRECAO']) as MessageDirection,
        command: String(r['COMANDO']),
        status: Number(r['STATUS']) as FailedAttemptCount['status'],
        count: Number(r['TOTAL']),
        lastFinishedAt: this.runner.hydrateValue(MessageExecEntity, 'finishedAt', r['MAISRECENTE']) as Date,
      }))
      .sort((a, b) => a.direction - b.direction || compareText(a.command, b.command) || a.status - b.status);
  }

  /** The attempts of several messages, by message id, then first attempt first. */
  async findByMessageIds(ids: readonly string[]): Promise<MessageExecEntity[]> {
    const repository = this.dataSource.getRepository(MessageExecEntity);
    const found: MessageExecEntity[] = [];
    for (const batch of batches([...new Set(ids)], this.dialect.rowsPerStatement(1))) {
      found.push(
        ...(await this.runner.read('find attempts', () => repository.findBy({ messageId: In(batch) }))),
      );
    }
    return found.sort((a, b) => compareText(a.messageId, b.messageId) || a.attempt - b.attempt);
  }

  /** The attempts of one message, first attempt first. */
  async findByMessageId(messageId: string): Promise<MessageExecEntity[]> {
    return this.runner.read('find attempts', () =>
      this.dataSource
        .getRepository(MessageExecEntity)
        .find({ where: { messageId }, order: { attempt: 'ASC' } }),
    );
  }
}

/** How many attempts of one direction and command failed in one way within a window, and when the latest finished. */
export interface FailedAttemptCount {
  readonly direction: MessageDirection;
  readonly command: string;
  readonly status: typeof AttemptStatus.Failure | typeof AttemptStatus.Fatal;
  readonly count: number;
  /** `DATAFIM` of the latest of them. */
  readonly lastFinishedAt: Date;
}
