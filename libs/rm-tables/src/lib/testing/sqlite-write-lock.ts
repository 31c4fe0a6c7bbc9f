import Database from 'better-sqlite3';

/** A write lock held on a SQLite file by a connection of its own; see {@link holdSqliteWriteLock}. */
export interface SqliteWriteLock {
  /** Rolls the holding transaction back and closes its connection; safe to call twice. */
  release(): void;
}

/**
 * Takes the write lock of the SQLite file at `path` (`BEGIN IMMEDIATE` on a connection of its own) and keeps it until
 * `release()`: every other writer waits its busy timeout and then fails with `SQLITE_BUSY`, as when another process
 * holds the file. Readers still read (WAL). For tests of a database that refuses writes; never for production code.
 */
export function holdSqliteWriteLock(path: string): SqliteWriteLock {
  const connection = new Database(path, { fileMustExist: true });
  connection.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      if (!connection.open) return;
      if (connection.inTransaction) connection.exec('ROLLBACK');
      connection.close();
    },
  };
}
