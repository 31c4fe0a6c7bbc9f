import type { NewLog } from '../entities/log.entity';
import { AttemptStatus } from '../entities/attempt-status';
import type { NewAttempt } from '../entities/message-exec.entity';
import type { NewMessage } from '../entities/message.entity';
import type { CountFailedAttemptsInput, PurgeInput, RmSqlStatement } from './rm-sql-dialect';
import {
  ATTEMPT_COLUMNS,
  LOG_COLUMNS,
  MESSAGE_COLUMNS,
  assertBatch,
  ATTEMPT_PARAMETERS_PER_ROW,
  attemptValues,
  logRow,
  messageRow,
} from './rm-rows';
import type { SqlParameters } from './sql-parameters';

const { Failure, Fatal } = AttemptStatus;

/** The three RM tables' names, quoted (and schema-qualified) as the dialect writes them. */
export interface QuotedTables {
  readonly message: string;
  readonly messageExec: string;
  readonly log: string;
}

/**
 * The statements PostgreSQL and SQLite write alike: both quote identifiers with `"`, take a multi-row `VALUES` list,
 * `ON CONFLICT ... DO NOTHING`, `RETURNING` and `LIMIT` in a subquery. They differ in parameter placeholders (and
 * how a date is bound), parameter limits, and the claims (row locks on PostgreSQL, one writer on SQLite), which stay
 * in each dialect. SQL Server differs in all of these and has its own.
 */
export abstract class QuotedIdentifierDialect {
  protected readonly message: string;
  protected readonly messageExec: string;
  protected readonly log: string;

  protected constructor(tables: QuotedTables) {
    this.message = tables.message;
    this.messageExec = tables.messageExec;
    this.log = tables.log;
  }

  /** The most rows one statement can carry when each binds `columns` parameters. */
  abstract rowsPerStatement(columns: number): number;

  /** A fresh parameter list with the dialect's placeholders. */
  protected abstract parameters(): SqlParameters;

  insertMessages(messages: readonly NewMessage[]): RmSqlStatement {
    assertBatch(messages.length, MESSAGE_COLUMNS.length, this.rowsPerStatement(MESSAGE_COLUMNS.length));
    const p = this.parameters();
    const sql = [
      `INSERT INTO ${this.message} (${columnList(MESSAGE_COLUMNS)})`,
      `VALUES ${p.rows(messages.map(messageRow))}`,
      'ON CONFLICT ("ID") DO NOTHING',
      'RETURNING "ID"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  insertAttempts(attempts: readonly NewAttempt[]): RmSqlStatement {
    assertBatch(
      attempts.length,
      ATTEMPT_PARAMETERS_PER_ROW,
      this.rowsPerStatement(ATTEMPT_PARAMETERS_PER_ROW),
    );
    const p = this.parameters();
    // DATA_OF_MESSAGE: DADOS read in the database, from the message's row, else from its latest attempt.
    const dataOfMessage = (messageId: () => string) =>
      `COALESCE((SELECT m."DADOS" FROM ${this.message} AS m WHERE m."ID" = ${messageId()}), ` +
      `(SELECT e."DADOS" FROM ${this.messageExec} AS e WHERE e."IDMENSAGEM" = ${messageId()} ` +
      'ORDER BY e."TENTATIVA" DESC LIMIT 1))';
    const sql = [
      `INSERT INTO ${this.messageExec} (${columnList(ATTEMPT_COLUMNS)})`,
      `VALUES ${attempts.map((a) => attemptValues(a, p, dataOfMessage)).join(', ')}`,
      'ON CONFLICT ("IDMENSAGEM", "TENTATIVA") DO NOTHING',
      'RETURNING "ID", "IDMENSAGEM", "TENTATIVA"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  insertLogs(logs: readonly NewLog[]): RmSqlStatement {
    assertBatch(logs.length, LOG_COLUMNS.length, this.rowsPerStatement(LOG_COLUMNS.length));
    const p = this.parameters();
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
    const p = this.parameters();
    const sql = [
      'SELECT "DIRECAO", "COMANDO", "STATUS", COUNT(*) AS "TOTAL", MAX("DATAFIM") AS "MAISRECENTE"',
      `FROM ${this.messageExec}`,
      `WHERE "DATAFIM" >= ${p.add(since)} AND "STATUS" IN (${Failure}, ${Fatal})`,
      'GROUP BY "DIRECAO", "COMANDO", "STATUS"',
    ];
    return { sql: sql.join('\n'), parameters: p.list() };
  }

  purgeAttempts({ before, limit }: PurgeInput): RmSqlStatement {
    const p = this.parameters();
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
    const p = this.parameters();
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
}

export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

export function columnList(columns: readonly string[]): string {
  return columns.map(quote).join(', ');
}
