/**
 * Every tunable number and default of the RM tables lib, in one place. Settings (`DB_*`) override the ones marked so;
 * the rest are arguments with these defaults.
 */
export const RM_TABLES_DEFAULTS = {
  /** `DB_TYPE`: SQLite needs no server, so a first run works out of the box. */
  databaseType: 'sqlite',
  /** `DB_SQLITE_PATH`, relative to the working directory; `.local/` is git-ignored. */
  sqlitePath: '.local/data/smartlink.sqlite',
  /** `DB_SQLITE_BUSY_TIMEOUT_MS`: how long a writer waits for another process's write lock on the shared file. */
  sqliteBusyTimeoutMs: 5_000,
  /**
   * `DB_SCHEMA` when unset, per database: RM runs on SQL Server, so a SQL Server database is RM's own (CorporeRM) and
   * is only verified; PostgreSQL and SQLite are never RM's, so the client creates its tables there.
   */
  schemaMode: { mssql: 'verify', postgres: 'create', sqlite: 'create' },
  /** `DB_PORT` when unset, per database. */
  postgresPort: 5432,
  mssqlPort: 1433,
  /** `DB_POOL_SIZE`: connections per service process (PostgreSQL, SQL Server). */
  poolSize: 10,
  /** `DB_CONNECT_TIMEOUT_MS`: one connection attempt. */
  connectTimeoutMs: 15_000,
  /** `DB_CONNECT_RETRY_ATTEMPTS` and `DB_CONNECT_RETRY_DELAY_MS`: start-up retries while the database comes up. */
  connectRetryAttempts: 10,
  connectRetryDelayMs: 3_000,
  /** Health check `SELECT 1`: longer than this counts as down, so a hung database fails readiness. */
  healthTimeoutMs: 3_000,
  /** SQL Server waits this long for another replica's migration run (`sp_getapplock`) before giving up. */
  migrationLockTimeoutMs: 60_000,
} as const;
