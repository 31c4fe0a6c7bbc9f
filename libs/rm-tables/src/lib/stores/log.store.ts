import { In, type DataSource } from 'typeorm';
import { LogEntity, type NewLog } from '../entities/log.entity';
import { rmSqlDialectOf } from '../sql/create-rm-sql-dialect';
import { LOG_COLUMNS } from '../sql/rm-rows';
import type { PurgeInput, RmSqlDialect } from '../sql/rm-sql-dialect';
import { assertLimit, batches, compareText } from './batches';
import { RmStatementRunner } from './rm-statement-runner';

/** `GTOTVSLINKLOG`: log records of services and segments, written in batches and removed only by the purge. */
export class LogStore {
  private readonly runner: RmStatementRunner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: RmSqlDialect = rmSqlDialectOf(dataSource.options),
  ) {
    this.runner = new RmStatementRunner(dataSource);
  }

  /**
   * Inserts log records with as few statements as the database's parameter limit allows; returns how many it wrote.
   * Each statement commits on its own: after a failure, earlier statements of the batch are stored.
   */
  async insert(logs: readonly NewLog[]): Promise<number> {
    let inserted = 0;
    for (const batch of batches(logs, this.dialect.rowsPerStatement(LOG_COLUMNS.length))) {
      inserted += (await this.runner.run('insert logs', this.dialect.insertLogs(batch))).affected;
    }
    return inserted;
  }

  /**
   * Deletes at most `limit` records dated before `before`, sparing those of messages still in `GTOTVSLINKMESSAGE`.
   * Returns how many it deleted: call again until it returns 0.
   */
  async purgeBefore(input: PurgeInput): Promise<number> {
    assertLimit(input.limit);
    if (input.limit === 0) return 0;
    return (await this.runner.run('purge logs', this.dialect.purgeLogs(input))).affected;
  }

  /**
   * The records of several messages, by message id, then oldest first. For checks and tools: reads go in batches under
   * the database's parameter limit.
   */
  async findByMessageIds(ids: readonly string[]): Promise<LogEntity[]> {
    const repository = this.dataSource.getRepository(LogEntity);
    const found: LogEntity[] = [];
    for (const batch of batches([...new Set(ids)], this.dialect.rowsPerStatement(1))) {
      found.push(...(await this.runner.read('find logs', () => repository.findBy({ messageId: In(batch) }))));
    }
    return found.sort(
      (a, b) =>
        compareText(a.messageId ?? '', b.messageId ?? '') ||
        a.date.getTime() - b.date.getTime() ||
        compareText(a.id.padStart(20, '0'), b.id.padStart(20, '0')),
    );
  }

  /** How many records the table holds; for checks and tools (a full count, not for hot paths). */
  async count(): Promise<number> {
    return this.runner.read('count logs', () => this.dataSource.getRepository(LogEntity).count());
  }

  /** The records of one message, oldest first. */
  async findByMessageId(messageId: string): Promise<LogEntity[]> {
    return this.runner.read('find logs', () =>
      this.dataSource
        .getRepository(LogEntity)
        .find({ where: { messageId }, order: { date: 'ASC', id: 'ASC' } }),
    );
  }
}
