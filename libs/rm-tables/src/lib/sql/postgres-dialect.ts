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

/** The wire protocol counts parameters in 16 bits (65,535); leave room. */
const MAX_PARAMETERS = 65_000;

const { Pending, Dispatched, WaitingRetry, Dead } = MessageStatus;

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

/** Element types of the arrays a batched started-marker update binds, in `STARTED_MARKER_COLUMNS` order. */
const STARTED_MARKER_ARRAY_TYPES = ['varchar', 'integer', 'timestamptz', 'timestamptz'] as const;

/**
 * PostgreSQL. Parameters are `$1`, `$2`... bound by pg; pg sends a `Date` as an instant with its offset, which
 * `timestamptz` stores as UTC. Identifiers are quoted: unquoted, PostgreSQL would fold the upper-case names to lower
 * case and miss the tables.
 */
export class PostgresDialect extends QuotedIdentifierDialect implements RmSqlDialect {
  readonly type = 'postgres' as const;
  private readonly schema: string | undefined;

  /** @param schema tables' schema; unset means the connection's `search_path`. */
  constructor(schema?: string) {
    const table = (name: string) => (schema ? `${quote(schema)}.${quote(name)}` : quote(name));
    super({
      message: table(RmTableName.Message),
      messageExec: table(RmTableName.MessageExec),
      log: table(RmTableName.Log),
    });
    this.schema = schema;
  }

  protected parameters(): SqlParameters {
    return parameters();
  }

  rowsPerStatement(columns: number): number {
    return Math.floor(MAX_PARAMETERS / columns);
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
      `  WHERE "STATUS" IN (${Pending}, ${Dispatched})`,
      `    AND ("DATATENTATIVAEXEC" IS NULL OR ("STATUS" = ${Dispatched} AND "DATATENTATIVAEXEC" <= "DATAATUALIZACAO"))`,
      `    AND "DATAATUALIZACAO" < ${p.add(dispatchedBefore)}`,
      '  ORDER BY "DATAATUALIZACAO"',
      `  LIMIT ${p.add(limit)}`,
      '  FOR UPDATE SKIP LOCKED',
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
    const rows = markers.map(startedMarkerRow);
    const arrays = STARTED_MARKER_ARRAY_TYPES.map(
      (type, index) => `${p.add(rows.map((row) => row[index]))}::${type}[]`,
    );
    const guard = `m."TENTATIVAS" = u."TENTATIVA" - 1 AND m."STATUS" IN (${Pending}, ${Dispatched})`;
    // The rows are locked first, in ID order (FOR UPDATE locks the rows as the sort hands them over; MATERIALIZED keeps
    // that step whole), so two executors applying overlapping markers (a rebalance, a redelivered chunk) wait for each
    // other instead of deadlocking, whatever order the join finds the rows in. The UPDATE then changes only rows this
    // statement holds already. A row locked after a concurrent change is re-checked against the guard, and the UPDATE
    // checks it again. Only one of a row's markers can meet `TENTATIVAS` = attempt - 1, so no row joins twice.
    const sql = [
      'WITH locked AS MATERIALIZED (',
      '  SELECT m."ID", u."TENTATIVA", u."DATAATUALIZACAO", u."DATATENTATIVAEXEC"',
      `  FROM ${this.message} AS m`,
      `  JOIN unnest(${arrays.join(', ')})`,
      `    AS u (${columnList(STARTED_MARKER_COLUMNS)}) ON m."ID" = u."ID"`,
      `  WHERE ${guard}`,
      '  ORDER BY m."ID"',
      '  FOR UPDATE OF m',
      ')',
      `UPDATE ${this.message} AS m SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = u."DATAATUALIZACAO",`,
      '  "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC"',
      'FROM locked AS u',
      `WHERE m."ID" = u."ID" AND ${guard}`,
      'RETURNING m."ID"',
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
      `UPDATE ${this.message} SET "STATUS" = ${Dispatched}, "DATAATUALIZACAO" = ${p.add(now)}, "DATATENTATIVAEXEC" = NULL`,
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

  selectOrigins(ids: readonly string[]): RmSqlStatement {
    assertBatch(ids.length, 1, this.rowsPerStatement(1));
    const p = parameters();
    return {
      sql: `SELECT "ID", "DIRECAO", "COMANDO" FROM ${this.message} WHERE "ID" = ANY(${p.add([...ids])})`,
      parameters: p.list(),
    };
  }

  beforeMigrations(): readonly RmSqlStatement[] {
    // A transaction-scoped advisory lock: released by the migration transaction's commit or rollback, even on a crash.
    const lock = { sql: 'SELECT pg_advisory_xact_lock(hashtext($1))', parameters: [RmTableName.Migrations] };
    if (!this.schema) return [lock];
    // TypeORM creates its migrations table in the schema, so the schema must exist before TypeORM looks.
    return [lock, { sql: `CREATE SCHEMA IF NOT EXISTS ${quote(this.schema)}`, parameters: [] }];
  }
}

function parameters(): SqlParameters {
  return new SqlParameters((index) => `$${index + 1}`);
}
