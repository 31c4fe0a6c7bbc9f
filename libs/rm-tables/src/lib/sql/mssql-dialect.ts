import { MssqlParameter } from 'typeorm';
import type { NewLog } from '../entities/log.entity';
import { AttemptStatus } from '../entities/attempt-status';
import type { NewAttempt } from '../entities/message-exec.entity';
import { MessageStatus } from '../entities/message-status';
import type { NewMessage } from '../entities/message.entity';
import { RM_TABLES_DEFAULTS } from '../rm-tables.defaults';
import { RmTableName } from '../schema/rm-table-names';
import type {
  ClaimDueInput,
  ClaimOverdueStartedInput,
  ClaimTimedOutInput,
  ClaimUnplannedInput,
  CountFailedAttemptsInput,
  FailedAttemptUpdate,
  MarkDispatchedInput,
  MarkStartedInput,
  PurgeInput,
  RedriveDeadInput,
  ReleaseClaimsInput,
  RmSqlDialect,
  RmSqlStatement,
  SettledFailure,
} from './rm-sql-dialect';
import {
  ATTEMPT_COLUMNS,
  FAILED_ATTEMPT_COLUMNS,
  LOG_COLUMNS,
  MESSAGE_COLUMNS,
  SETTLED_FAILURE_COLUMNS,
  STARTED_MARKER_COLUMNS,
  assertBatch,
  assertRedriveFilter,
  ATTEMPT_PARAMETERS_PER_ROW,
  attemptValues,
  logRow,
  messageRow,
  startedMarkerRow,
} from './rm-rows';
import { SqlParameters } from './sql-parameters';

/** SQL Server refuses requests with more than 2,100 parameters; leave room. */
const MAX_PARAMETERS = 2_000;
/** A table value constructor (`VALUES (..), (..)`) in an INSERT takes at most 1,000 rows. */
const MAX_ROWS = 1_000;

const { Pending, Dispatched, WaitingRetry, Dead } = MessageStatus;
const { Failure, Fatal } = AttemptStatus;

/**
 * SQL Server. Parameters are `@0`, `@1`... as TypeORM's SqlServerQueryRunner names them (`request.input('0', ...)`).
 * Dates are wrapped in `MssqlParameter(date, 'datetime2', 3)`, which the query runner binds as `sql.DateTime2(3)`:
 * unwrapped, mssql binds a `Date` as legacy `datetime` (rounded to 1/300 s). Strings bind as `nvarchar` by default,
 * matching the `nvarchar` columns, so no implicit conversion defeats an index.
 *
 * Identifiers are unquoted: all are plain upper-case words, none reserved, as in RM's own SQL. This SQL is pinned by
 * unit tests and has never run against a real SQL Server (none runs on our machines).
 */
export class MssqlDialect implements RmSqlDialect {
  readonly type = 'mssql' as const;
  private readonly message: string;
  private readonly messageExec: string;
  private readonly log: string;

  /** @param schema tables' schema; unset means the login's default schema. */
  constructor(schema?: string) {
    const table = (name: string) => (schema ? `${quoteMssql(schema)}.${name}` : name);
    this.message = table(RmTableName.Message);
    this.messageExec = table(RmTableName.MessageExec);
    this.log = table(RmTableName.Log);
  }

  rowsPerStatement(columns: number): number {
    return Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / columns));
  }

  insertMessages(messages: readonly NewMessage[]): RmSqlStatement {
    assertBatch(messages.length, MESSAGE_COLUMNS.length, this.rowsPerStatement(MESSAGE_COLUMNS.length));
    const p = parameters();
    const columns = MESSAGE_COLUMNS.join(', ');
    // UPDLOCK, HOLDLOCK make the existence check and the insert one atomic step against concurrent writers.
    const sql = [
      `INSERT INTO ${this.message} (${columns})`,
      'OUTPUT INSERTED.ID',
      `SELECT * FROM (VALUES ${p.rows(messages.map(messageRow))}) AS v (${columns})`,
      `WHERE NOT EXISTS (SELECT 1 FROM ${this.message} AS m WITH (UPDLOCK, HOLDLOCK) WHERE m.ID = v.ID)`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  claimDue({ now, limit }: ClaimDueInput): RmSqlStatement {
    const p = parameters();
    const top = p.add(limit);
    const at = p.add(now);
    // The queue pattern: UPDLOCK takes the rows for this transaction, READPAST skips rows another claimer holds,
    // ROWLOCK keeps claimers from blocking each other on pages. OUTPUT returns the rows in the same statement.
    const sql = [
      'WITH claimed AS (',
      `  SELECT TOP (${top}) * FROM ${this.message} WITH (UPDLOCK, READPAST, ROWLOCK)`,
      `  WHERE STATUS IN (${Pending}, ${WaitingRetry}) AND DATATENTATIVAEXEC <= ${at}`,
      '  ORDER BY DATATENTATIVAEXEC',
      ')',
      `UPDATE claimed SET STATUS = ${Dispatched}, DATAATUALIZACAO = ${at}`,
      'OUTPUT INSERTED.*',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  claimTimedOut({ now, dispatchedBefore, limit }: ClaimTimedOutInput): RmSqlStatement {
    const p = parameters();
    const top = p.add(limit);
    const cutoff = p.add(dispatchedBefore);
    const at = p.add(now);
    const sql = [
      'WITH claimed AS (',
      `  SELECT TOP (${top}) * FROM ${this.message} WITH (UPDLOCK, READPAST, ROWLOCK)`,
      `  WHERE STATUS IN (${Pending}, ${Dispatched})`,
      `    AND (DATATENTATIVAEXEC IS NULL OR (STATUS = ${Dispatched} AND DATATENTATIVAEXEC <= DATAATUALIZACAO))`,
      `    AND DATAATUALIZACAO < ${cutoff}`,
      '  ORDER BY DATAATUALIZACAO',
      ')',
      `UPDATE claimed SET DATAATUALIZACAO = ${at}`,
      'OUTPUT INSERTED.*',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  markStarted(markers: readonly MarkStartedInput[]): RmSqlStatement {
    assertBatch(
      markers.length,
      STARTED_MARKER_COLUMNS.length,
      this.rowsPerStatement(STARTED_MARKER_COLUMNS.length),
    );
    const p = parameters();
    const columns = STARTED_MARKER_COLUMNS.join(', ');
    // The form of recordFailedAttempts and settleFailedAttempts: one autocommitting statement, its VALUES in ID order
    // (the store sorts them), so the usual plan for a batch joined on the primary key (a nested loop seeking each
    // VALUES row) takes the row locks in the same order in every executor. SQL Server promises no plan: this is the
    // same best effort as those two statements, not a guarantee. Only one of a row's markers can meet TENTATIVAS =
    // attempt - 1, so no row joins twice (UPDATE … FROM would apply an arbitrary one of several).
    const sql = [
      `UPDATE m SET STATUS = ${Dispatched}, DATAATUALIZACAO = u.DATAATUALIZACAO, DATATENTATIVAEXEC = u.DATATENTATIVAEXEC`,
      'OUTPUT INSERTED.ID',
      `FROM ${this.message} AS m`,
      `JOIN (VALUES ${p.rows(markers.map(startedMarkerRow))}) AS u (${columns}) ON m.ID = u.ID`,
      `WHERE m.TENTATIVAS = u.TENTATIVA - 1 AND m.STATUS IN (${Pending}, ${Dispatched})`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  claimOverdueStarted({ now, reclaimAt, limit }: ClaimOverdueStartedInput): RmSqlStatement {
    const p = parameters();
    const top = p.add(limit);
    const sql = [
      'WITH claimed AS (',
      `  SELECT TOP (${top}) * FROM ${this.message} WITH (UPDLOCK, READPAST, ROWLOCK)`,
      `  WHERE STATUS = ${Dispatched} AND DATATENTATIVAEXEC < ${p.add(now)} AND DATATENTATIVAEXEC > DATAATUALIZACAO`,
      '  ORDER BY DATATENTATIVAEXEC',
      ')',
      `UPDATE claimed SET DATATENTATIVAEXEC = ${p.add(reclaimAt)}`,
      'OUTPUT INSERTED.*',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  claimUnplanned({ now, failedBefore, limit }: ClaimUnplannedInput): RmSqlStatement {
    const p = parameters();
    const top = p.add(limit);
    const cutoff = p.add(failedBefore);
    const at = p.add(now);
    const sql = [
      'WITH claimed AS (',
      `  SELECT TOP (${top}) * FROM ${this.message} WITH (UPDLOCK, READPAST, ROWLOCK)`,
      `  WHERE STATUS = ${WaitingRetry} AND DATATENTATIVAEXEC IS NULL AND DATAATUALIZACAO < ${cutoff}`,
      '  ORDER BY DATAATUALIZACAO',
      ')',
      `UPDATE claimed SET DATAATUALIZACAO = ${at}`,
      'OUTPUT INSERTED.*',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  recordFailedAttempt(u: FailedAttemptUpdate): RmSqlStatement {
    const p = parameters();
    const status = p.add(u.status);
    const attempt = p.add(u.attempt);
    const sql = [
      `UPDATE ${this.message} SET STATUS = ${status}, TENTATIVAS = ${attempt},`,
      `  DATATENTATIVAEXEC = ${p.add(u.nextAttemptAt)}, ULTIMOERRO = ${p.add(u.lastError)}, DATAATUALIZACAO = ${p.add(u.now)}`,
      `WHERE ID = ${p.add(u.id)} AND TENTATIVAS < ${attempt}`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  recordFailedAttempts(updates: readonly FailedAttemptUpdate[]): RmSqlStatement {
    assertBatch(
      updates.length,
      FAILED_ATTEMPT_COLUMNS.length,
      this.rowsPerStatement(FAILED_ATTEMPT_COLUMNS.length),
    );
    const p = parameters();
    const columns = FAILED_ATTEMPT_COLUMNS.join(', ');
    // A null next-attempt time is bound as datetime2 too, so the VALUES column has one type whatever the rows hold.
    const rows = updates.map((u) => [
      u.id,
      u.attempt,
      u.status,
      u.nextAttemptAt ?? new MssqlParameter(null, 'datetime2', 3),
      u.lastError,
      u.now,
    ]);
    const sql = [
      'UPDATE m SET STATUS = u.STATUS, TENTATIVAS = u.TENTATIVA,',
      '  DATATENTATIVAEXEC = u.DATATENTATIVAEXEC, ULTIMOERRO = u.ULTIMOERRO, DATAATUALIZACAO = u.DATAATUALIZACAO',
      'OUTPUT INSERTED.ID',
      `FROM ${this.message} AS m`,
      `JOIN (VALUES ${p.rows(rows)}) AS u (${columns}) ON m.ID = u.ID`,
      'WHERE m.TENTATIVAS < u.TENTATIVA',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  markDispatched({ ids, attempt, now }: MarkDispatchedInput): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    const at = p.add(now);
    const sql = [
      `UPDATE ${this.message} SET STATUS = ${Dispatched}, DATAATUALIZACAO = ${at}, DATATENTATIVAEXEC = NULL`,
      'OUTPUT INSERTED.ID',
      `WHERE ID IN ${p.row(ids)} AND STATUS IN (${Pending}, ${WaitingRetry}) AND TENTATIVAS < ${p.add(attempt)}`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  settleFailedAttempts(settlements: readonly SettledFailure[]): RmSqlStatement {
    assertBatch(
      settlements.length,
      SETTLED_FAILURE_COLUMNS.length,
      this.rowsPerStatement(SETTLED_FAILURE_COLUMNS.length),
    );
    const p = parameters();
    const columns = SETTLED_FAILURE_COLUMNS.join(', ');
    // A null next-attempt time is bound as datetime2 too, so the VALUES column has one type whatever the rows hold.
    const rows = settlements.map((s) => [
      s.id,
      s.attempt,
      s.status,
      s.nextAttemptAt ?? new MssqlParameter(null, 'datetime2', 3),
      s.now,
    ]);
    const sql = [
      'UPDATE m SET STATUS = u.STATUS, DATATENTATIVAEXEC = u.DATATENTATIVAEXEC, DATAATUALIZACAO = u.DATAATUALIZACAO',
      'OUTPUT INSERTED.*',
      `FROM ${this.message} AS m`,
      `JOIN (VALUES ${p.rows(rows)}) AS u (${columns}) ON m.ID = u.ID`,
      'WHERE m.TENTATIVAS = u.TENTATIVA AND m.TENTATIVASBASE < u.TENTATIVA',
      `  AND m.DATATENTATIVAEXEC IS NULL AND m.STATUS IN (${WaitingRetry}, u.STATUS)`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  releaseClaims({ ids, claimedAt, now }: ReleaseClaimsInput): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1) - 2);
    const p = parameters();
    const at = p.add(now);
    const sql = [
      `UPDATE ${this.message} SET STATUS = ${WaitingRetry}, DATAATUALIZACAO = ${at}`,
      'OUTPUT INSERTED.ID',
      `WHERE ID IN ${p.row(ids)} AND STATUS = ${Dispatched} AND DATAATUALIZACAO = ${p.add(claimedAt)}`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  redriveDead(input: RedriveDeadInput): RmSqlStatement {
    assertRedriveFilter(input, this.rowsPerStatement(1) - 6);
    const p = parameters();
    const top = p.add(input.limit);
    const where = [`STATUS = ${Dead}`];
    if (input.ids) where.push(`ID IN ${p.row(input.ids)}`);
    if (input.command !== undefined) where.push(`COMANDO = ${p.add(input.command)}`);
    if (input.deadFrom) where.push(`DATAATUALIZACAO >= ${p.add(input.deadFrom)}`);
    if (input.deadBefore) where.push(`DATAATUALIZACAO < ${p.add(input.deadBefore)}`);
    // The queue pattern of claimDue: two redrives at once skip each other's rows instead of taking them twice.
    const sql = [
      'WITH picked AS (',
      `  SELECT TOP (${top}) * FROM ${this.message} WITH (UPDLOCK, READPAST, ROWLOCK)`,
      `  WHERE ${where.join(' AND ')}`,
      '  ORDER BY DATAATUALIZACAO, ID',
      ')',
      `UPDATE picked SET STATUS = ${WaitingRetry}, TENTATIVASBASE = TENTATIVAS, DATATENTATIVAEXEC = ${p.add(input.dueAt)},`,
      `  DATAATUALIZACAO = ${p.add(input.now)}`,
      'OUTPUT INSERTED.*',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  deleteMessages(ids: readonly string[]): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    return { sql: `DELETE FROM ${this.message} WHERE ID IN ${p.row(ids)}`, parameters: p.list() };
  }

  selectOrigins(ids: readonly string[]): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    return {
      sql: `SELECT ID, DIRECAO, COMANDO FROM ${this.message} WHERE ID IN ${p.row(ids)}`,
      parameters: p.list(),
    };
  }

  insertAttempts(attempts: readonly NewAttempt[]): RmSqlStatement {
    assertBatch(
      attempts.length,
      ATTEMPT_PARAMETERS_PER_ROW,
      this.rowsPerStatement(ATTEMPT_PARAMETERS_PER_ROW),
    );
    const p = parameters();
    const columns = ATTEMPT_COLUMNS.join(', ');
    // DATA_OF_MESSAGE: DADOS read in the database, from the message's row, else from its latest attempt (both
    // nvarchar(max), which the schema check requires).
    const dataOfMessage = (messageId: () => string) =>
      `COALESCE((SELECT m.DADOS FROM ${this.message} AS m WHERE m.ID = ${messageId()}), ` +
      `(SELECT TOP (1) e.DADOS FROM ${this.messageExec} AS e WHERE e.IDMENSAGEM = ${messageId()} ` +
      'ORDER BY e.TENTATIVA DESC))';
    // SQL Server has no ON CONFLICT. Checking under UPDLOCK, HOLDLOCK (a key-range lock on the unique index) keeps a
    // concurrent insert of the same (IDMENSAGEM, TENTATIVA) out between the check and the insert.
    const sql = [
      `INSERT INTO ${this.messageExec} (${columns})`,
      'OUTPUT INSERTED.ID, INSERTED.IDMENSAGEM, INSERTED.TENTATIVA',
      `SELECT * FROM (VALUES ${attempts.map((a) => attemptValues(a, p, dataOfMessage)).join(', ')}) AS v (${columns})`,
      `WHERE NOT EXISTS (SELECT 1 FROM ${this.messageExec} AS e WITH (UPDLOCK, HOLDLOCK)`,
      '  WHERE e.IDMENSAGEM = v.IDMENSAGEM AND e.TENTATIVA = v.TENTATIVA)',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  insertLogs(logs: readonly NewLog[]): RmSqlStatement {
    assertBatch(logs.length, LOG_COLUMNS.length, this.rowsPerStatement(LOG_COLUMNS.length));
    const p = parameters();
    return {
      sql: `INSERT INTO ${this.log} (${LOG_COLUMNS.join(', ')}) VALUES ${p.rows(logs.map(logRow))}`,
      parameters: p.list(),
    };
  }

  countMessages(): RmSqlStatement {
    // No NOLOCK: a dirty read can count a row twice or miss it while a page splits, and under READ COMMITTED this
    // read waits at most for one claim statement, never for a long transaction (every write here autocommits).
    const sql = [
      'SELECT DIRECAO, COMANDO, STATUS, COUNT(*) AS TOTAL, MIN(DATACRIACAO) AS MAISANTIGA',
      `FROM ${this.message}`,
      'GROUP BY DIRECAO, COMANDO, STATUS',
    ];
    return { sql: sql.join('\n'), parameters: [] };
  }

  countFailedAttempts({ since }: CountFailedAttemptsInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      'SELECT DIRECAO, COMANDO, STATUS, COUNT(*) AS TOTAL, MAX(DATAFIM) AS MAISRECENTE',
      `FROM ${this.messageExec}`,
      `WHERE DATAFIM >= ${p.add(since)} AND STATUS IN (${Failure}, ${Fatal})`,
      'GROUP BY DIRECAO, COMANDO, STATUS',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  purgeAttempts({ before, limit }: PurgeInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `DELETE TOP (${p.add(limit)}) e FROM ${this.messageExec} AS e`,
      `WHERE e.DATAFIM < ${p.add(before)}`,
      `  AND NOT EXISTS (SELECT 1 FROM ${this.message} AS m WHERE m.ID = e.IDMENSAGEM)`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  purgeLogs({ before, limit }: PurgeInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `DELETE TOP (${p.add(limit)}) l FROM ${this.log} AS l`,
      `WHERE l.LOGDATE < ${p.add(before)}`,
      `  AND NOT EXISTS (SELECT 1 FROM ${this.message} AS m WHERE m.ID = l.IDMENSAGEM)`,
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  beforeMigrations(): readonly RmSqlStatement[] {
    const p = parameters();
    // An application lock owned by the migration transaction: released by its commit or rollback, even on a crash.
    const sql = [
      'DECLARE @result int;',
      `EXEC @result = sp_getapplock @Resource = N'${RmTableName.Migrations}', @LockMode = N'Exclusive',`,
      `  @LockOwner = N'Transaction', @LockTimeout = ${p.add(RM_TABLES_DEFAULTS.migrationLockTimeoutMs)};`,
      `IF @result < 0 THROW 50000, N'Timed out waiting for another process to finish the ${RmTableName.Migrations} migrations', 1;`,
    ];
    return [{ sql: sql.join('\n'), parameters: p.list() }];
  }
}

/** Brackets a SQL Server identifier, doubling any closing bracket in it. */
export function quoteMssql(identifier: string): string {
  return `[${identifier.replaceAll(']', ']]')}]`;
}

function parameters(): SqlParameters {
  return new SqlParameters(
    (index) => `@${index}`,
    (value) => (value instanceof Date ? new MssqlParameter(value, 'datetime2', 3) : value),
  );
}
