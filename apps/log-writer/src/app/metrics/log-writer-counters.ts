/**
 * What the log-writer has done since it started. Operators read them on `GET /stats` to see bad input, outages and
 * purges at a glance; the Prometheus endpoint will expose them. Counters only grow.
 */
export class LogWriterCounters {
  /** Records read from `<ns>.logs` (redeliveries included). */
  consumed = 0;
  /** Rows written to GTOTVSLINKLOG. */
  written = 0;
  /** Inserts that wrote a chunk: how batched the writing is (`written / insertBatches` rows per insert). */
  insertBatches = 0;
  /** Records that could not be read as a log record at all: reported and skipped. */
  undecodable = 0;
  /** Records written after a value no column could hold was repaired (NUL, over-long id, date out of range). */
  repaired = 0;
  /** Inserts that failed; the chunk was held and written again once the database answered. */
  failedInserts = 0;
  /** Times the writer found the database unusable and paused consumption. */
  outages = 0;
  /** Purge runs done on this replica (while it held the purger lease). */
  purgeRuns = 0;
  /** GTOTVSLINKMESSAGEEXEC rows purged. */
  purgedAttempts = 0;
  /** GTOTVSLINKLOG rows purged. */
  purgedLogs = 0;
  /** Purge runs that failed (the next interval tries again). */
  failedPurges = 0;
}
