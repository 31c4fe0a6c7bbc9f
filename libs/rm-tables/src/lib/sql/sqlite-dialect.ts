import type { NewLog } from '../entities/log.entity';
import { AttemptStatus } from '../entities/attempt-status';
import type { NewAttempt } from '../entities/message-exec.entity';
import { MessageStatus } from '../entities/message-status';
import type { NewMessage } from '../entities/message.entity';
import { RmTableName } from '../schema/rm-table-names';
import type {
  ClaimDueInput,
  ClaimTimedOutInput,
  ClaimUnplannedInput,
  CountFailedAttemptsInput,
  FailedAttemptUpdate,
  MarkDispatchedInput,
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
  assertBatch,
  assertRedriveFilter,
  attemptRow,
  failedAttemptRow,
  logRow,
  messageRow,
  settledFailureRow,
} from './rm-rows';
import { SqlParameters } from './sql-parameters';

/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32,766 (since 3.32); leave room. */
const MAX_PARAMETERS = 32_000;

const { Pending, Dispatched, WaitingRetry, Dead } = MessageStatus;
const { Failure, Fatal } = AttemptStatus;

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
export class SqliteDialect implements RmSqlDialect {
  readonly type = 'sqlite' as const;
  private readonly message = quote(RmTableName.Message);
  private readonly messageExec = quote(RmTableName.MessageExec);
  private readonly log = quote(RmTableName.Log);

  rowsPerStatement(columns: number): number {
    return Math.floor(MAX_PARAMETERS / columns);
  }

  insertMessages(messages: readonly NewMessage[]): RmSqlStatement {
    assertBatch(messages.length, MESSAGE_COLUMNS.length, this.rowsPerStatement(MESSAGE_COLUMNS.length));
    const p = parameters();
    const sql = [
      `INSERT INTO ${this.message} (${columnList(MESSAGE_COLUMNS)})`,
      `VALUES ${p.rows(messages.map(messageRow))}`,
      'ON CONFLICT ("ID") DO NOTHING',
      'RETURNING "ID"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
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
      `  WHERE "STATUS" = ${Dispatched} AND "DATAATUALIZACAO" < ${p.add(dispatchedBefore)}`,
      '  ORDER BY "DATAATUALIZACAO"',
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
      `UPDATE ${this.message} SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = ${p.add(now)}`,
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

  insertAttempts(attempts: readonly NewAttempt[]): RmSqlStatement {
    assertBatch(attempts.length, ATTEMPT_COLUMNS.length, this.rowsPerStatement(ATTEMPT_COLUMNS.length));
    const p = parameters();
    const sql = [
      `INSERT INTO ${this.messageExec} (${columnList(ATTEMPT_COLUMNS)})`,
      `VALUES ${p.rows(attempts.map(attemptRow))}`,
      'ON CONFLICT ("IDMENSAGEM", "TENTATIVA") DO NOTHING',
      'RETURNING "ID", "IDMENSAGEM", "TENTATIVA"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  insertLogs(logs: readonly NewLog[]): RmSqlStatement {
    assertBatch(logs.length, LOG_COLUMNS.length, this.rowsPerStatement(LOG_COLUMNS.length));
    const p = parameters();
    return {
      sql: `INSERT INTO ${this.log} (${columnList(LOG_COLUMNS)})\nVALUES ${p.rows(logs.map(logRow))}`,
      parameters: p.list(),
    };
  }

  countMessages(): RmSqlStatement {
    const sql = [
      'SELECT "DIRECAO", "COMANDO", "STATUS", COUNT(*) AS "TOTAL", MIN("DATACRIACAO") AS "MAISANTIGA"',
      `FROM ${this.message}`,
      'GROUP BY "DIRECAO", "COMANDO", "STATUS"',
    ];
    return { sql: sql.join('\n'), parameters: [] };
  }

  countFailedAttempts({ since }: CountFailedAttemptsInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      'SELECT "DIRECAO", "COMANDO", "STATUS", COUNT(*) AS "TOTAL", MAX("DATAFIM") AS "MAISRECENTE"',
      `FROM ${this.messageExec}`,
      `WHERE "DATAFIM" >= ${p.add(since)} AND "STATUS" IN (${Failure}, ${Fatal})`,
      'GROUP BY "DIRECAO", "COMANDO", "STATUS"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  purgeAttempts({ before, limit }: PurgeInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `DELETE FROM ${this.messageExec} WHERE "ID" IN (`,
      `  SELECT e."ID" FROM ${this.messageExec} AS e`,
      `  WHERE e."DATAFIM" < ${p.add(before)}`,
      `    AND NOT EXISTS (SELECT 1 FROM ${this.message} AS m WHERE m."ID" = e."IDMENSAGEM")`,
      `  LIMIT ${p.add(limit)}`,
      ')',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  purgeLogs({ before, limit }: PurgeInput): RmSqlStatement {
    const p = parameters();
    const sql = [
      `DELETE FROM ${this.log} WHERE "ID" IN (`,
      `  SELECT l."ID" FROM ${this.log} AS l`,
      `  WHERE l."LOGDATE" < ${p.add(before)}`,
      `    AND NOT EXISTS (SELECT 1 FROM ${this.message} AS m WHERE m."ID" = l."IDMENSAGEM")`,
      `  LIMIT ${p.add(limit)}`,
      ')',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  beforeMigrations(): readonly RmSqlStatement[] {
    return [];
  }
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function columnList(columns: readonly string[]): string {
  return columns.map(quote).join(', ');
}

function parameters(): SqlParameters {
  return new SqlParameters(
    () => '?',
    (value) => (value instanceof Date ? toSqliteDatetime(value) : value),
  );
}
