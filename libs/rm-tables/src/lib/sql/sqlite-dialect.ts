import { MessageStatus } from '../entities/message-status';
import { RmTableName } from '../schema/rm-table-names';
import type {
  ClaimDueInput,
  ClaimOverdueStartedInput,
  ClaimTimedOutInput,
  ClaimUnplannedInput,
  FailedAttemptUpdate,
  MarkDispatchedInput,
  MarkStartedInput,
  RedriveDeadInput,
  ReleaseClaimsInput,
  RmSqlDialect,
  RmSqlStatement,
  SettledFailure,
} from './rm-sql-dialect';
import {
  FAILED_ATTEMPT_COLUMNS,
  SETTLED_FAILURE_COLUMNS,
  STARTED_MARKER_COLUMNS,
  assertBatch,
  assertRedriveFilter,
  failedAttemptRow,
  settledFailureRow,
  startedMarkerRow,
} from './rm-rows';
import { SqlParameters } from './sql-parameters';
import { QuotedIdentifierDialect, columnList, quote } from './quoted-identifier-dialect';

/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32,766 (since 3.32); leave room. */
const MAX_PARAMETERS = 32_000;

const { Pending, Dispatched, WaitingRetry, Dead } = MessageStatus;

/**
 * The text TypeORM's SQLite drivers store for a `datetime` column (`DateUtils.mixedDateToUtcDatetimeString`):
 * `YYYY-MM-DD HH:MM:SS.mmm` in UTC. Fixed width, so comparing the text compares the instants; every date parameter
 * of raw SQL must use exactly this form, or `<=` compares different notations.
 */
export function toSqliteDatetime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * SQLite (3.35+ for RETURNING). One writer at a time per database file, so each claim is a single UPDATE: no two
 * statements can take the same row. Parameters are anonymous `?`, bound in order; a value used twice is bound twice.
 */
export class SqliteDialect extends QuotedIdentifierDialect implements RmSqlDialect {
  readonly type = 'sqlite' as const;

  constructor() {
    super({
      message: quote(RmTableName.Message),
      messageExec: quote(RmTableName.MessageExec),
      log: quote(RmTableName.Log),
    });
  }

  protected parameters(): SqlParameters {
    return parameters();
  }

  rowsPerStatement(columns: number): number {
    return Math.floor(MAX_PARAMETERS / columns);
  }

  claimDue({ now, limit }: ClaimDueInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = ${p.add(now)}`,
      'WHERE "ID" IN (',
      `  SELECT "ID" FROM ${this.message}`,
      `  WHERE "STATUS" IN (${Pending}, ${WaitingRetry}) AND "DATATENTATIVAEXEC" <= ${p.add(now)}`,
      '  ORDER BY "DATATENTATIVAEXEC"',
      `  LIMIT ${p.add(limit)}`,
      ')',
      'RETURNING *',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  claimTimedOut({ now, dispatchedBefore, limit }: ClaimTimedOutInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "DATAATUALIZACAO" = ${p.add(now)}`,
      'WHERE "ID" IN (',
      `  SELECT "ID" FROM ${this.message}`,
      `  WHERE "STATUS" IN (${Pending}, ${Dispatched})`,
      `    AND ("DATATENTATIVAEXEC" IS NULL OR ("STATUS" = ${Dispatched} AND "DATATENTATIVAEXEC" <= "DATAATUALIZACAO"))`,
      `    AND "DATAATUALIZACAO" < ${p.add(dispatchedBefore)}`,
      '  ORDER BY "DATAATUALIZACAO"',
      `  LIMIT ${p.add(limit)}`,
      ')',
      'RETURNING *',
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
    const m = this.message;
    // One writer at a time per file: no row locks to order. Only one of a row's markers can meet `TENTATIVAS` =
    // attempt - 1, so no row joins twice (UPDATE … FROM would use an arbitrary one of several).
    const sql = [
      `WITH u (${columnList(STARTED_MARKER_COLUMNS)}) AS (VALUES ${p.rows(markers.map(startedMarkerRow))})`,
      `UPDATE ${m} SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = u."DATAATUALIZACAO", "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC"`,
      'FROM u',
      `WHERE ${m}."ID" = u."ID" AND ${m}."TENTATIVAS" = u."TENTATIVA" - 1 AND ${m}."STATUS" IN (${Pending}, ${Dispatched})`,
      'RETURNING "ID"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  claimOverdueStarted({ now, reclaimAt, limit }: ClaimOverdueStartedInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "DATATENTATIVAEXEC" = ${p.add(reclaimAt)}`,
      'WHERE "ID" IN (',
      `  SELECT "ID" FROM ${this.message}`,
      `  WHERE "STATUS" = ${Dispatched} AND "DATATENTATIVAEXEC" < ${p.add(now)} AND "DATATENTATIVAEXEC" > "DATAATUALIZACAO"`,
      '  ORDER BY "DATATENTATIVAEXEC"',
      `  LIMIT ${p.add(limit)}`,
      ')',
      'RETURNING *',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  claimUnplanned({ now, failedBefore, limit }: ClaimUnplannedInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "DATAATUALIZACAO" = ${p.add(now)}`,
      'WHERE "ID" IN (',
      `  SELECT "ID" FROM ${this.message}`,
      `  WHERE "STATUS" = ${WaitingRetry} AND "DATATENTATIVAEXEC" IS NULL AND "DATAATUALIZACAO" < ${p.add(failedBefore)}`,
      '  ORDER BY "DATAATUALIZACAO"',
      `  LIMIT ${p.add(limit)}`,
      ')',
      'RETURNING *',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  recordFailedAttempt(u: FailedAttemptUpdate): RmSqlStatement {
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${p.add(u.status)}, "TENTATIVAS" = ${p.add(u.attempt)},`,
      `  "DATATENTATIVAEXEC" = ${p.add(u.nextAttemptAt)}, "ULTIMOERRO" = ${p.add(u.lastError)}, "DATAATUALIZACAO" = ${p.add(u.now)}`,
      `WHERE "ID" = ${p.add(u.id)} AND "TENTATIVAS" < ${p.add(u.attempt)}`,
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
    // UPDATE … FROM (SQLite 3.33+) joins the rows of a VALUES list, named through a CTE's column list.
    const sql = [
      `WITH u (${columnList(FAILED_ATTEMPT_COLUMNS)}) AS (VALUES ${p.rows(updates.map(failedAttemptRow))})`,
      `UPDATE ${this.message} SET "STATUS" = u."STATUS", "TENTATIVAS" = u."TENTATIVA",`,
      '  "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC", "ULTIMOERRO" = u."ULTIMOERRO", "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
      'FROM u',
      `WHERE ${this.message}."ID" = u."ID" AND ${this.message}."TENTATIVAS" < u."TENTATIVA"`,
      'RETURNING "ID"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  markDispatched({ ids, attempt, now }: MarkDispatchedInput): RmSqlStatement {
    // The id list plus the two other parameters must stay under the limit.
    assertBatch(ids.length, 1, this.rowsPerStatement(1) - 2);
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = ${p.add(now)}, "DATATENTATIVAEXEC" = NULL`,
      `WHERE "ID" IN ${p.row(ids)} AND "STATUS" IN (${Pending}, ${WaitingRetry}) AND "TENTATIVAS" < ${p.add(attempt)}`,
      'RETURNING "ID"',
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
    const m = this.message;
    const sql = [
      `WITH u (${columnList(SETTLED_FAILURE_COLUMNS)}) AS (VALUES ${p.rows(settlements.map(settledFailureRow))})`,
      `UPDATE ${m} SET "STATUS" = u."STATUS", "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC",`,
      '  "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
      'FROM u',
      `WHERE ${m}."ID" = u."ID" AND ${m}."TENTATIVAS" = u."TENTATIVA" AND ${m}."TENTATIVASBASE" < u."TENTATIVA"`,
      `  AND ${m}."DATATENTATIVAEXEC" IS NULL AND ${m}."STATUS" IN (${WaitingRetry}, u."STATUS")`,
      // RETURNING names only the table being updated, so * is the message row.
      'RETURNING *',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  releaseClaims({ ids, claimedAt, now }: ReleaseClaimsInput): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1) - 2);
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${WaitingRetry}, "DATAATUALIZACAO" = ${p.add(now)}`,
      `WHERE "ID" IN ${p.row(ids)} AND "STATUS" = ${Dispatched} AND "DATAATUALIZACAO" = ${p.add(claimedAt)}`,
      'RETURNING "ID"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  redriveDead(input: RedriveDeadInput): RmSqlStatement {
    assertRedriveFilter(input, this.rowsPerStatement(1) - 6);
    const p = parameters();
    const set = `"STATUS" = ${WaitingRetry}, "TENTATIVASBASE" = "TENTATIVAS", "DATATENTATIVAEXEC" = ${p.add(input.dueAt)}`;
    const touched = `"DATAATUALIZACAO" = ${p.add(input.now)}`;
    const where = [`"STATUS" = ${Dead}`];
    if (input.ids) where.push(`"ID" IN ${p.row(input.ids)}`);
    if (input.command !== undefined) where.push(`"COMANDO" = ${p.add(input.command)}`);
    if (input.deadFrom) where.push(`"DATAATUALIZACAO" >= ${p.add(input.deadFrom)}`);
    if (input.deadBefore) where.push(`"DATAATUALIZACAO" < ${p.add(input.deadBefore)}`);
    // One writer at a time per file: the single UPDATE is the claim.
    const sql = [
      `UPDATE ${this.message} SET ${set}, ${touched}`,
      'WHERE "ID" IN (',
      `  SELECT "ID" FROM ${this.message}`,
      `  WHERE ${where.join(' AND ')}`,
      '  ORDER BY "DATAATUALIZACAO", "ID"',
      `  LIMIT ${p.add(input.limit)}`,
      ')',
      'RETURNING *',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  deleteMessages(ids: readonly string[]): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    return { sql: `DELETE FROM ${this.message} WHERE "ID" IN ${p.row(ids)}`, parameters: p.list() };
  }

  selectOrigins(ids: readonly string[]): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    return {
      sql: `SELECT "ID", "DIRECAO", "COMANDO" FROM ${this.message} WHERE "ID" IN ${p.row(ids)}`,
      parameters: p.list(),
    };
  }

  beforeMigrations(): readonly RmSqlStatement[] {
    return [];
  }
}

function parameters(): SqlParameters {
  return new SqlParameters(
    () => '?',
    (value) => (value instanceof Date ? toSqliteDatetime(value) : value),
  );
}
