/** The log-writer's numbers, in one place. Those an operator may change are settings (log-writer-settings.ts). */
export const LogWriterDefaults = {
  /**
   * LOG_WRITER_BATCH_SIZE: log records written by one insert and committed together. Thousands per statement is what
   * makes 20,000 rows/s reachable; 2,000 rows of 5 columns stay under every database's parameter limit in one
   * statement except SQL Server's 1,000-row VALUES cap (two statements there), and a chunk is written well within the
   * consumer session.
   */
  batchSize: 2_000,
  /** LOG_WRITER_CONCURRENCY: partitions of `<ns>.logs` written at the same time (SQLite still has one writer). */
  partitionsConsumedConcurrently: 2,
  /**
   * LOG_WRITER_INSERT_TIMEOUT_MS: an insert without an answer for this long counts as failed (a stalled connection),
   * so the writer probes the database instead of hanging. The late insert may still land: at-least-once.
   */
  insertTimeoutMs: 30_000,
  /** LOG_WRITER_RETRY_INITIAL_MS: first wait after a failed insert before the database is probed again. */
  retryInitialMs: 500,
  /** LOG_WRITER_RETRY_MAX_MS: the wait doubles per failure in a row, up to this. */
  retryMaxMs: 30_000,
  /** A probe (`SELECT 1`) without an answer for this long counts as the database being down. */
  probeTimeoutMs: 3_000,
  /**
   * While a chunk waits for the database, the member tells the group it is alive this often; kafkajs sends heartbeats
   * only when asked, and a silent member is evicted after its session timeout (30 s).
   */
  heartbeatEveryMs: 3_000,
  /**
   * At shutdown an insert in flight gets this long to finish before the chunk is handed back uncommitted; well inside
   * Kubernetes' 20 s grace.
   */
  shutdownGraceMs: 5_000,
  /** EXEC_RETENTION_DAYS: GTOTVSLINKMESSAGEEXEC rows finished longer ago than this are purged. */
  execRetentionDays: 90,
  /** LOG_RETENTION_DAYS: GTOTVSLINKLOG rows dated longer ago than this are purged. */
  logRetentionDays: 30,
  /** RETENTION_PURGE_INTERVAL_MS: how often the purge runs (on the replica holding the purger lease). */
  purgeIntervalMs: 3_600_000,
  /** The first purge runs this long after boot (or after one interval, if that is shorter). */
  purgeFirstRunDelayMs: 60_000,
  /**
   * RETENTION_PURGE_CHUNK_SIZE: rows deleted per statement. Small enough that each delete holds its row locks (and
   * SQLite's write lock) for milliseconds, so the executor and this writer never wait long behind it.
   */
  purgeChunkSize: 1_000,
  /** RETENTION_PURGE_CHUNK_PAUSE_MS: breathing room between two chunks for the writers sharing the tables. */
  purgeChunkPauseMs: 100,
  /** The purger lease: `<ns>.log-writer.purger.lease`. */
  purgeLeaseName: 'log-writer.purger',
} as const;
