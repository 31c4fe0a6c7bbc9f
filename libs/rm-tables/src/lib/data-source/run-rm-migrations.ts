import { MigrationExecutor, type DataSource } from 'typeorm';
import { rmSqlDialectOf } from '../sql/create-rm-sql-dialect';

/**
 * Runs the pending RM migrations in one transaction, holding the dialect's migration lock, and returns the names of
 * those it ran. Several services booting together is the normal case: the first migrates, the others wait for the
 * lock, then find nothing pending. A failure rolls everything back (DDL is transactional on all three databases).
 */
export async function runRmMigrations(dataSource: DataSource): Promise<string[]> {
  const dialect = rmSqlDialectOf(dataSource.options);
  const sqlite = dialect.type === 'sqlite';
  const queryRunner = dataSource.createQueryRunner();
  try {
    // SQLite: BEGIN IMMEDIATE takes the write lock now, so a second process waits (busy timeout) instead of racing
    // to create the same tables.
    if (sqlite) await queryRunner.query('BEGIN IMMEDIATE');
    else await queryRunner.startTransaction();
    try {
      for (const statement of dialect.beforeMigrations()) {
        await queryRunner.query(statement.sql, [...statement.parameters]);
      }
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'none'; // ours, opened above
      const executed = await executor.executePendingMigrations();
      if (sqlite) await queryRunner.query('COMMIT');
      else await queryRunner.commitTransaction();
      return executed.map((migration) => migration.name);
    } catch (error) {
      // Report the migration's error, not a rollback failure on a connection that is already gone.
      await (sqlite ? queryRunner.query('ROLLBACK') : queryRunner.rollbackTransaction()).catch(
        () => undefined,
      );
      throw error;
    }
  } finally {
    await queryRunner.release();
  }
}
