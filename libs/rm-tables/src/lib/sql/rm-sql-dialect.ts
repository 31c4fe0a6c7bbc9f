import type { NewLog } from '../entities/log.entity';
import type { NewAttempt } from '../entities/message-exec.entity';
import type { MessageStatus } from '../entities/message-status';
import type { NewMessage } from '../entities/message.entity';
import type { RmDatabaseType } from '../schema/rm-database-type';

/** One SQL statement and its positional parameters, in the form the DataSource's driver binds them. */
export interface RmSqlStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** Claim up to `limit` messages due at `now`: pending or waiting retry with `DATATENTATIVAEXEC <= now`. */
export interface ClaimDueInput {
  readonly now: Date;
  readonly limit: number;
}

/** Claim up to `limit` messages dispatched before `dispatchedBefore` that never got an outcome. */
export interface ClaimTimedOutInput {
  readonly now: Date;
  readonly dispatchedBefore: Date;
  readonly limit: number;
}

/**
 * Claim up to `limit` failed messages nobody planned: waiting retry with no `DATATENTATIVAEXEC`, last changed before
 * `failedBefore` (the `failed` event that should have planned them was lost).
 */
export interface ClaimUnplannedInput {
  readonly now: Date;
  readonly failedBefore: Date;
  readonly limit: number;
}

/** A failed attempt's effect on its message: wait for a retry, or dead. */
export interface FailedAttemptUpdate {
  readonly id: string;
  /** The attempt that failed (1-based); becomes `TENTATIVAS`. An update for an older attempt is ignored. */
  readonly attempt: number;
  readonly status: typeof MessageStatus.WaitingRetry | typeof MessageStatus.Dead;
  /** When the retry is due; null for a dead message. */
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
  readonly now: Date;
}

/**
 * The retry scheduler's decision on a failed attempt already recorded on its row (`TENTATIVAS` = the attempt,
 * `DATATENTATIVAEXEC` null): wait for a retry at `nextAttemptAt`, or dead.
 */
export interface SettledFailure {
  readonly id: string;
  /** The failed attempt: must equal the row's `TENTATIVAS` and lie above its `TENTATIVASBASE`. */
  readonly attempt: number;
  readonly status: typeof MessageStatus.WaitingRetry | typeof MessageStatus.Dead;
  /** When the next attempt is due; null for a dead message. */
  readonly nextAttemptAt: Date | null;
  readonly now: Date;
}

/** Hand claimed messages back (see {@link RmSqlDialect.releaseClaims}). */
export interface ReleaseClaimsInput {
  readonly ids: readonly string[];
  /** The `now` of the claim, which it wrote into `DATAATUALIZACAO`: only rows still claimed by it are released. */
  readonly claimedAt: Date;
  readonly now: Date;
}

/**
 * Which dead messages to put back into execution: all filters given must hold (at least one is required by the
 * store); `deadFrom`/`deadBefore` bound `DATAATUALIZACAO`, the time the row became dead.
 */
export interface RedriveFilter {
  readonly ids?: readonly string[];
  readonly command?: string;
  /** Dead at or after this instant. */
  readonly deadFrom?: Date;
  /** Dead before this instant. */
  readonly deadBefore?: Date;
}

/** Redrive at most `limit` dead messages matching the filter, due again at `dueAt`. */
export interface RedriveDeadInput extends RedriveFilter {
  readonly limit: number;
  readonly dueAt: Date;
  readonly now: Date;
}

/** Mark messages dispatched for one attempt (see {@link RmSqlDialect.markDispatched}). */
export interface MarkDispatchedInput {
  readonly ids: readonly string[];
  /** The attempt handed over (1-based): `TENTATIVAS` + 1 of the rows. */
  readonly attempt: number;
  readonly now: Date;
}

/** A started marker's effect (see {@link RmSqlDialect.markStarted}). */
export interface MarkStartedInput {
  readonly id: string;
  /** The attempt that started (1-based): the row must be at `TENTATIVAS` = attempt - 1. */
  readonly attempt: number;
  readonly startedAt: Date;
  /** When the attempt's outcome is due at the latest; becomes `DATATENTATIVAEXEC`. */
  readonly outcomeDueBy: Date;
}

/** Claim up to `limit` started attempts whose outcome was due before `now`; they are due again at `reclaimAt`. */
export interface ClaimOverdueStartedInput {
  readonly now: Date;
  readonly reclaimAt: Date;
  readonly limit: number;
}

/** Count the attempts that failed (retryable or fatal) and finished at or after `since`. */
export interface CountFailedAttemptsInput {
  readonly since: Date;
}

/** Delete at most `limit` rows older than `before`. */
export interface PurgeInput {
  readonly before: Date;
  readonly limit: number;
}

/**
 * The SQL that differs between databases, as pure functions returning `{ sql, parameters }`. Every run-time value is
 * a parameter; status codes are compile-time constants written into the text so the planner can seek the
 * `(STATUS, ...)` indexes. Callers split batches with {@link RmSqlDialect.rowsPerStatement} first.
 */
export interface RmSqlDialect {
  readonly type: RmDatabaseType;

  /** How many rows of `columns` values one statement may carry under the database's parameter limits. */
  rowsPerStatement(columns: number): number;

  /** Insert messages, skipping ids already stored; returns the `ID` of each row written. */
  insertMessages(messages: readonly NewMessage[]): RmSqlStatement;

  /**
   * Atomically take due messages, oldest `DATATENTATIVAEXEC` first, mark them dispatched (`STATUS` 1,
   * `DATAATUALIZACAO` = now) and return the rows. Concurrent claimers never get the same row.
   */
  claimDue(input: ClaimDueInput): RmSqlStatement;

  /**
   * Like {@link claimDue} for stalled messages: dispatched ones never started whose outcome never came, and pending
   * ones never handed over (no `DATATENTATIVAEXEC`: the service that stored them stopped before dispatching). Renews
   * `DATAATUALIZACAO` to `now`.
   *
   * A dispatched row is started when its `DATATENTATIVAEXEC` (the outcome due time a started marker set) is after its
   * `DATAATUALIZACAO` (the start). A first dispatch clears `DATATENTATIVAEXEC`; a claimed retry keeps its due time,
   * which is at or before the claim's `DATAATUALIZACAO` (so {@link claimDue} can still order by it and report how late
   * it ran).
   */
  claimTimedOut(input: ClaimTimedOutInput): RmSqlStatement;

  /**
   * Apply started markers in one statement (each (id, attempt) at most once; one id may come with several attempts):
   * a row still at the attempt before a marker's (`TENTATIVAS` = attempt - 1), pending or dispatched, becomes
   * dispatched with `DATAATUALIZACAO` = the start and `DATATENTATIVAEXEC` = the outcome due time. A row matches at
   * most one of its markers, since their attempts differ. Returns the `ID` of each row it changed.
   */
  markStarted(markers: readonly MarkStartedInput[]): RmSqlStatement;

  /**
   * Like {@link claimTimedOut} for started attempts (dispatched, `DATATENTATIVAEXEC` after `DATAATUALIZACAO`) whose outcome was due before
   * `now`: sets `DATATENTATIVAEXEC` to `reclaimAt` (so no other claimer takes them meanwhile, and a crash before the
   * failure is recorded finds them again) and keeps `DATAATUALIZACAO`, the start. Returns the rows.
   */
  claimOverdueStarted(input: ClaimOverdueStartedInput): RmSqlStatement;

  /** Like {@link claimTimedOut} for failed messages never planned; renews `DATAATUALIZACAO` to `now`. */
  claimUnplanned(input: ClaimUnplannedInput): RmSqlStatement;

  /** Record a failed attempt on its message, unless a later attempt was recorded already; affects 0 or 1 row. */
  recordFailedAttempt(update: FailedAttemptUpdate): RmSqlStatement;

  /**
   * {@link recordFailedAttempt} for several messages in one statement (each id at most once); returns the `ID` of
   * each row it changed.
   */
  recordFailedAttempts(updates: readonly FailedAttemptUpdate[]): RmSqlStatement;

  /**
   * Mark messages dispatched (`STATUS` 1, `DATAATUALIZACAO` = now) for `attempt`, only where still pending or waiting
   * retry and `TENTATIVAS` is below the attempt: an outcome of that attempt recorded meanwhile is never overwritten.
   * Returns the `ID` of each row it changed.
   */
  markDispatched(input: MarkDispatchedInput): RmSqlStatement;

  /**
   * Apply the retry scheduler's decisions on failed attempts in one statement (each id at most once): only rows still
   * at that attempt (`TENTATIVAS` = attempt > `TENTATIVASBASE`), not yet planned (`DATATENTATIVAEXEC` null) and
   * waiting retry — or, for a dead decision, dead already (a fatal outcome) — change. Returns the changed rows.
   */
  settleFailedAttempts(settlements: readonly SettledFailure[]): RmSqlStatement;

  /**
   * Hand claimed messages back as waiting retry (`STATUS` 2), still due, when the claim could not be passed on;
   * only rows still dispatched by that claim (`DATAATUALIZACAO` = its time). Returns the `ID` of each row released.
   */
  releaseClaims(input: ReleaseClaimsInput): RmSqlStatement;

  /**
   * Atomically take up to `limit` dead messages matching the filter, oldest death first, and put them back: waiting
   * retry due at `dueAt`, `TENTATIVASBASE` = `TENTATIVAS` (a fresh attempt budget, attempt numbers going on).
   * Concurrent redrives never take the same row. Returns the rows.
   */
  redriveDead(input: RedriveDeadInput): RmSqlStatement;

  /** Delete messages that succeeded. */
  deleteMessages(ids: readonly string[]): RmSqlStatement;

  /** `ID, DIRECAO, COMANDO` of the messages among `ids` still stored: a hot read that leaves `DADOS` where it is. */
  selectOrigins(ids: readonly string[]): RmSqlStatement;

  /** Insert attempts, skipping (message id, attempt) pairs already stored; returns `ID, IDMENSAGEM, TENTATIVA` written. */
  insertAttempts(attempts: readonly NewAttempt[]): RmSqlStatement;

  /** Insert log records. */
  insertLogs(logs: readonly NewLog[]): RmSqlStatement;

  /**
   * Count the messages not yet done by `DIRECAO`, `COMANDO` and `STATUS`: `TOTAL` rows each, `DATACRIACAO` of the
   * oldest as `MAISANTIGA`. A plain read at the default isolation: it waits at most for a claim's single statement.
   */
  countMessages(): RmSqlStatement;

  /**
   * Count the failed and fatal attempts that finished at or after `since` (on the `DATAFIM` index) by `DIRECAO`,
   * `COMANDO` and `STATUS`: `TOTAL` rows each, the latest `DATAFIM` as `MAISRECENTE`.
   */
  countFailedAttempts(input: CountFailedAttemptsInput): RmSqlStatement;

  /** Delete at most `limit` attempts finished before `before` whose message is no longer in `GTOTVSLINKMESSAGE`. */
  purgeAttempts(input: PurgeInput): RmSqlStatement;

  /** Delete at most `limit` logs dated before `before` whose message (if any) is no longer in `GTOTVSLINKMESSAGE`. */
  purgeLogs(input: PurgeInput): RmSqlStatement;

  /**
   * Statements run first inside the migration transaction: a lock, so replicas starting together migrate one at a
   * time (the others then find nothing pending), and on PostgreSQL the schema, created if missing. SQLite needs
   * none: its migration transaction starts with `BEGIN IMMEDIATE`, which already shuts out other writers.
   */
  beforeMigrations(): readonly RmSqlStatement[];
}
