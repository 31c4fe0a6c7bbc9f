import { In, Not, type DataSource } from 'typeorm';
import { MessageStatus } from '../entities/message-status';
import { MessageEntity, type NewMessage } from '../entities/message.entity';
import { rmSqlDialectOf } from '../sql/create-rm-sql-dialect';
import { MESSAGE_COLUMNS } from '../sql/rm-rows';
import type {
  ClaimDueInput,
  ClaimTimedOutInput,
  FailedAttemptUpdate,
  RmSqlDialect,
} from '../sql/rm-sql-dialect';
import { assertLimit, batches, compareText, inKeyOrder, uniqueBy } from './batches';
import { RmStatementRunner } from './rm-statement-runner';

/**
 * `GTOTVSLINKMESSAGE`: messages not yet done. Writers insert them (the message id absorbs redeliveries), claimers
 * take due and timed-out ones without ever sharing a row, and a success deletes the row.
 */
export class MessageStore {
  private readonly runner: RmStatementRunner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: RmSqlDialect = rmSqlDialectOf(dataSource.options),
  ) {
    this.runner = new RmStatementRunner(dataSource);
  }

  /**
   * Inserts messages whose id is not stored yet and returns the ids it wrote, in id order: a redelivered message
   * (same id, stored earlier or earlier in this batch) is skipped and left out of the result.
   */
  async insertIgnoringDuplicates(messages: readonly NewMessage[]): Promise<string[]> {
    const rows = inKeyOrder(
      uniqueBy(messages, (m) => m.id),
      (a, b) => compareText(a.id, b.id),
    );
    const inserted: string[] = [];
    for (const batch of batches(rows, this.dialect.rowsPerStatement(MESSAGE_COLUMNS.length))) {
      const { records } = await this.runner.run('insert messages', this.dialect.insertMessages(batch));
      inserted.push(...records.map((r) => String(r['ID'])));
    }
    return inserted.sort(compareText);
  }

  /**
   * Takes up to `limit` messages due at `now` (pending or waiting retry, `DATATENTATIVAEXEC <= now`), marks them
   * dispatched and returns them, oldest due first. Another claimer running at the same time gets other rows.
   */
  async claimDue(input: ClaimDueInput): Promise<MessageEntity[]> {
    assertLimit(input.limit);
    if (input.limit === 0) return [];
    const { records } = await this.runner.run('claim due messages', this.dialect.claimDue(input));
    // OUTPUT and RETURNING carry no order: restore the one the claim selected by.
    return this.runner
      .hydrate(MessageEntity, records)
      .sort((a, b) => time(a.nextAttemptAt) - time(b.nextAttemptAt) || compareText(a.id, b.id));
  }

  /**
   * Takes up to `limit` messages dispatched before `dispatchedBefore` that never got an outcome, renews their
   * `DATAATUALIZACAO` to `now` (so no other claimer takes them meanwhile) and returns them, oldest first, so the
   * caller can record the lost attempt as failed.
   */
  async claimTimedOut(input: ClaimTimedOutInput): Promise<MessageEntity[]> {
    assertLimit(input.limit);
    if (input.limit === 0) return [];
    const { records } = await this.runner.run('claim timed-out messages', this.dialect.claimTimedOut(input));
    return this.runner
      .hydrate(MessageEntity, records)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id));
  }

  /**
   * Records a failed attempt on its message: status, `TENTATIVAS` = the attempt, next attempt time, last error.
   * Returns false when the message is gone or a later attempt was recorded already (a redelivered outcome).
   */
  async recordFailedAttempt(update: FailedAttemptUpdate): Promise<boolean> {
    const { affected } = await this.runner.run(
      'record failed attempt',
      this.dialect.recordFailedAttempt(update),
    );
    return affected > 0;
  }

  /** Deletes the messages that succeeded; returns how many rows were deleted. */
  async deleteSucceeded(ids: readonly string[]): Promise<number> {
    let deleted = 0;
    const sorted = inKeyOrder([...new Set(ids)], compareText);
    for (const batch of batches(sorted, this.dialect.rowsPerStatement(1))) {
      deleted += (await this.runner.run('delete succeeded messages', this.dialect.deleteMessages(batch)))
        .affected;
    }
    return deleted;
  }

  /**
   * How many messages are not done yet and not dead: the backlog the poller weighs against its high-water mark
   * before fetching more from the cloud.
   */
  async countUndone(): Promise<number> {
    const repository = this.dataSource.getRepository(MessageEntity);
    return this.runner.read('count undone messages', () =>
      repository.countBy({ status: Not(MessageStatus.Dead) }),
    );
  }

  /** Reads messages by id, in no particular order; missing ids are left out. */
  async findByIds(ids: readonly string[]): Promise<MessageEntity[]> {
    const repository = this.dataSource.getRepository(MessageEntity);
    const found: MessageEntity[] = [];
    for (const batch of batches([...new Set(ids)], this.dialect.rowsPerStatement(1))) {
      found.push(...(await this.runner.read('find messages', () => repository.findBy({ id: In(batch) }))));
    }
    return found;
  }
}

function time(date: Date | null): number {
  return date === null ? 0 : date.getTime();
}
