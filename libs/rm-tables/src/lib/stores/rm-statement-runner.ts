import type { DataSource, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { RmTablesError } from '../rm-tables.error';
import type { RmSqlStatement } from '../sql/rm-sql-dialect';

/** What a statement returned: its rows (RETURNING/OUTPUT), and how many rows it changed. */
export interface RmStatementResult {
  readonly records: readonly Record<string, unknown>[];
  readonly affected: number;
}

/**
 * SQLite (better-sqlite3) has one connection per DataSource, shared by every query runner: a statement run while a
 * transaction is open would join it, and a second transaction would nest in it. So on SQLite every statement, read
 * and transaction of the DataSource takes its turn here, one after the other (the driver runs one statement at a
 * time anyway). Server databases give each query runner a pooled connection of its own and need no turns.
 */
const sqliteTurns = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs dialect statements on the DataSource and maps raw rows to entities. Each statement runs alone on a pooled
 * connection and commits on its own (autocommit): every statement here is atomic by itself, and batches split over
 * several statements are safe to repeat (inserts skip duplicates, deletes and purges are idempotent).
 */
export class RmStatementRunner {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `statement`; failures become {@link RmTablesError} named after `operation`. */
  async run(operation: string, statement: RmSqlStatement): Promise<RmStatementResult> {
    try {
      return await this.inTurn(async () => {
        const queryRunner = this.dataSource.createQueryRunner();
        try {
          return await runOn(queryRunner, statement);
        } finally {
          await queryRunner.release();
        }
      });
    } catch (error) {
      throw new RmTablesError(operation, error);
    }
  }

  /**
   * Runs the statements `work` runs in one transaction on one connection: all of them commit, or none (rolled back
   * when `work` or the commit fails). Failures become {@link RmTablesError} named after `operation`.
   */
  async transaction<R>(
    operation: string,
    work: (run: (statement: RmSqlStatement) => Promise<RmStatementResult>) => Promise<R>,
  ): Promise<R> {
    try {
      return await this.inTurn(async () => {
        const queryRunner = this.dataSource.createQueryRunner();
        try {
          await queryRunner.startTransaction();
          try {
            const result = await work((statement) => runOn(queryRunner, statement));
            await queryRunner.commitTransaction();
            return result;
          } catch (error) {
            if (queryRunner.isTransactionActive)
              await queryRunner.rollbackTransaction().catch(() => undefined);
            throw error;
          }
        } finally {
          await queryRunner.release();
        }
      });
    } catch (error) {
      throw new RmTablesError(operation, error);
    }
  }

  /**
   * Maps raw rows (keyed by column name, values as the driver returned them) to entities through TypeORM's own
   * hydration for this database: SQLite date text becomes a `Date`, transformers apply, exactly as a repository read.
   */
  hydrate<T extends ObjectLiteral>(target: EntityTarget<T>, rows: readonly Record<string, unknown>[]): T[] {
    const metadata = this.dataSource.getMetadata(target);
    const driver = this.dataSource.driver;
    return rows.map((row) => {
      const entity = metadata.create() as T;
      for (const column of metadata.columns) {
        column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
      }
      return entity;
    });
  }

  /**
   * Maps one raw value to what the entity's `property` holds, with the same hydration as {@link hydrate}: for an
   * aggregate over that column, such as `MIN(DATACRIACAO)`, which SQLite returns as date text.
   */
  hydrateValue<T extends ObjectLiteral>(
    target: EntityTarget<T>,
    property: keyof T & string,
    raw: unknown,
  ): unknown {
    const column = this.dataSource.getMetadata(target).findColumnWithPropertyName(property);
    if (!column) throw new Error(`${property} is not a column`);
    return this.dataSource.driver.prepareHydratedValue(raw, column);
  }

  /** Runs a repository call, turning failures into {@link RmTablesError} like {@link run}. */
  async read<R>(operation: string, call: () => Promise<R>): Promise<R> {
    try {
      return await this.inTurn(call);
    } catch (error) {
      throw new RmTablesError(operation, error);
    }
  }

  /** Runs `work` now on a server database; on SQLite once the DataSource's earlier work settled (see sqliteTurns). */
  private inTurn<R>(work: () => Promise<R>): Promise<R> {
    if (this.dataSource.options.type !== 'better-sqlite3') return work();
    const previous = sqliteTurns.get(this.dataSource) ?? Promise.resolve();
    const mine = previous.then(work, work);
    sqliteTurns.set(
      this.dataSource,
      mine.catch(() => undefined),
    );
    return mine;
  }
}

async function runOn(queryRunner: QueryRunner, statement: RmSqlStatement): Promise<RmStatementResult> {
  const result = await queryRunner.query(statement.sql, [...statement.parameters], true);
  const records = (result.records ?? []) as Record<string, unknown>[];
  // SQLite reports no change count for statements that return rows; the rows are the count.
  return { records, affected: result.affected ?? records.length };
}
