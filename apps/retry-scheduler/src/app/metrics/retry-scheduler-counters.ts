/**
 * What the retry scheduler has done since it started, counted per kind (GET /stats; the Prometheus endpoint will
 * expose them). Counters only grow, except the lateness figures, which describe the retries dispatched so far.
 */
export class RetrySchedulerCounters {
  /** Failed attempts whose next attempt was planned (`retry-scheduled`). */
  retriesScheduled = 0;
  /** Planned retries announced again for a redelivered event (the plan was stored already). */
  retriesRescheduledAgain = 0;
  /** Messages dead-lettered: a fatal error, or the last attempt failed. */
  deadLettered = 0;
  /** Due retries claimed and announced (`retry-due`). */
  retriesDue = 0;
  /** Claims handed back because the announcement could not be published. */
  claimsReleased = 0;
  /** Dispatched messages that got no outcome in time: recorded as failed attempts. */
  timedOut = 0;
  /** Recorded failures found unplanned after the grace, announced again. */
  unplannedAnnounced = 0;
  /** Failed/fatal events about a message that had moved on (succeeded, planned, redriven...): nothing to do. */
  staleEvents = 0;
  /** Records of the event log that could not be read: skipped. */
  malformedEvents = 0;
  /** Messages put back by redrive requests. */
  redriven = 0;
  /** Lateness of the retries dispatched (claim time minus `DATATENTATIVAEXEC`), in ms. */
  latenessMaxMs = 0;
  latenessTotalMs = 0;
}
