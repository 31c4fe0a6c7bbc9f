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

/** The wire protocol counts parameters in 16 bits (65,535); leave room. */
const MAX_PARAMETERS = 65_000;

const { Pending, Dispatched, WaitingRetry, Dead } = MessageStatus;
const { Failure, Fatal } = AttemptStatus;

/** Element types of the arrays a batched failed-attempt update binds, in `FAILED_ATTEMPT_COLUMNS` order. */
const FAILED_ATTEMPT_ARRAY_TYPES = [
  'varchar',
  'integer',
  'smallint',
  'timestamptz',
  'text',
  'timestamptz',
] as const;

/** Element types of the arrays a batched settlement binds, in `SETTLED_FAILURE_COLUMNS` order. */
const SETTLED_FAILURE_ARRAY_TYPES = ['varchar', 'integer', 'smallint', 'timestamptz', 'timestamptz'] as const;

/**
 * PostgreSQL. Parameters are `$1`, `$2`... bound by pg; pg sends a `Date` as an instant with its offset, which
 * `timestamptz` stores as UTC. Identifiers are quoted: unquoted, PostgreSQL would fold the upper-case names to lower
 * case and miss the tables.
 */
export class PostgresDialect implements RmSqlDialect {
  readonly type = 'postgres' as const;
  private readonly message: string;
  private readonly messageExec: string;
  private readonly log: string;
  private readonly schema: string | undefined;

  /** @param schema tables' schema; unset means the connection's `search_path`. */
  constructor(schema?: string) {
    this.schema = schema;
    const table = (name: string) => (schema ? `${quote(schema)}.${quote(name)}` : quote(name));
    this.message = table(RmTableName.Message);
    this.messageExec = table(RmTableName.MessageExec);
    this.log = table(RmTableName.Log);
  }

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
    const at = p.add(now);
    // FOR UPDATE SKIP LOCKED: a concurrent claimer skips the rows this one holds instead of waiting for them, and a
    // row claimed and committed meanwhile is re-checked against the WHERE clause and dropped.
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = ${at}`,
      'WHERE "ID" IN (',
      `  SELECT "ID" FROM ${this.message}`,
      `  WHERE "STATUS" IN (${Pending}, ${WaitingRetry}) AND "DATATENTATIVAEXEC" <= ${at}`,
      '  ORDER BY "DATATENTATIVAEXEC"',
      `  LIMIT ${p.add(limit)}`,
      '  FOR UPDATE SKIP LOCKED',
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
      '  FOR UPDATE SKIP LOCKED',
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
      '  FOR UPDATE SKIP LOCKED',
      ')',
      'RETURNING *',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  recordFailedAttempt(u: FailedAttemptUpdate): RmSqlStatement {
    const p = parameters();
    const status = p.add(u.status);
    const attempt = p.add(u.attempt);
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${status}, "TENTATIVAS" = ${attempt},`,
      `  "DATATENTATIVAEXEC" = ${p.add(u.nextAttemptAt)}, "ULTIMOERRO" = ${p.add(u.lastError)}, "DATAATUALIZACAO" = ${p.add(u.now)}`,
      `WHERE "ID" = ${p.add(u.id)} AND "TENTATIVAS" < ${attempt}`,
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
    // One array parameter per column, zipped back into rows by unnest: one statement text whatever the batch size.
    const rows = updates.map(failedAttemptRow);
    const arrays = FAILED_ATTEMPT_ARRAY_TYPES.map(
      (type, index) => `${p.add(rows.map((row) => row[index]))}::${type}[]`,
    );
    const sql = [
      `UPDATE ${this.message} AS m SET "STATUS" = u."STATUS", "TENTATIVAS" = u."TENTATIVA",`,
      '  "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC", "ULTIMOERRO" = u."ULTIMOERRO", "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
      `FROM unnest(${arrays.join(', ')})`,
      `  AS u (${columnList(FAILED_ATTEMPT_COLUMNS)})`,
      'WHERE m."ID" = u."ID" AND m."TENTATIVAS" < u."TENTATIVA"',
      'RETURNING m."ID"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  markDispatched({ ids, attempt, now }: MarkDispatchedInput): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = ${p.add(now)}`,
      `WHERE "ID" = ANY(${p.add([...ids])}) AND "STATUS" IN (${Pending}, ${WaitingRetry}) AND "TENTATIVAS" < ${p.add(attempt)}`,
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
    const rows = settlements.map(settledFailureRow);
    const arrays = SETTLED_FAILURE_ARRAY_TYPES.map(
      (type, index) => `${p.add(rows.map((row) => row[index]))}::${type}[]`,
    );
    const sql = [
      `UPDATE ${this.message} AS m SET "STATUS" = u."STATUS", "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC",`,
      '  "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
      `FROM unnest(${arrays.join(', ')})`,
      `  AS u (${columnList(SETTLED_FAILURE_COLUMNS)})`,
      'WHERE m."ID" = u."ID" AND m."TENTATIVAS" = u."TENTATIVA" AND m."TENTATIVASBASE" < u."TENTATIVA"',
      `  AND m."DATATENTATIVAEXEC" IS NULL AND m."STATUS" IN (${WaitingRetry}, u."STATUS")`,
      'RETURNING m.*',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  releaseClaims({ ids, claimedAt, now }: ReleaseClaimsInput): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    const sql = [
      `UPDATE ${this.message} SET "STATUS" = ${WaitingRetry}, "DATAATUALIZACAO" = ${p.add(now)}`,
      `WHERE "ID" = ANY(${p.add([...ids])}) AND "STATUS" = ${Dispatched} AND "DATAATUALIZACAO" = ${p.add(claimedAt)}`,
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
    if (input.ids) where.push(`"ID" = ANY(${p.add([...input.ids])})`);
    if (input.command !== undefined) where.push(`"COMANDO" = ${p.add(input.command)}`);
    if (input.deadFrom) where.push(`"DATAATUALIZACAO" >= ${p.add(input.deadFrom)}`);
    if (input.deadBefore) where.push(`"DATAATUALIZACAO" < ${p.add(input.deadBefore)}`);
    // FOR UPDATE SKIP LOCKED, as in claimDue: two redrives at once never take the same row.
    const sql = [
      `UPDATE ${this.message} SET ${set}, ${touched}`,
      'WHERE "ID" IN (',
      `  SELECT "ID" FROM ${this.message}`,
      `  WHERE ${where.join(' AND ')}`,
      '  ORDER BY "DATAATUALIZACAO", "ID"',
      `  LIMIT ${p.add(input.limit)}`,
      '  FOR UPDATE SKIP LOCKED',
      ')',
      'RETURNING *',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  deleteMessages(ids: readonly string[]): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    // One array parameter, whatever the number of ids: one statement text, one cached plan.
    return { sql: `DELETE FROM ${this.message} WHERE "ID" = ANY(${p.add([...ids])})`, parameters: p.list() };
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
    // A transaction-scoped advisory lock: released by the migration transaction's commit or rollback, even on a crash.
    const lock = { sql: 'SELECT pg_advisory_xact_lock(hashtext($1))', parameters: [RmTableName.Migrations] };
    if (!this.schema) return [lock];
    // TypeORM creates its migrations table in the schema, so the schema must exist before TypeORM looks.
    return [lock, { sql: `CREATE SCHEMA IF NOT EXISTS ${quote(this.schema)}`, parameters: [] }];
  }
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function columnList(columns: readonly string[]): string {
  return columns.map(quote).join(', ');
}

function parameters(): SqlParameters {
  return new SqlParameters((index) => `$${index + 1}`);
}
