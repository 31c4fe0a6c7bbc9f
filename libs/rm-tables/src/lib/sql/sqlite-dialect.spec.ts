import { DateUtils } from 'typeorm/util/DateUtils';
import { AttemptStatus } from '../entities/attempt-status';
import { LogType } from '../entities/log-type';
import { MessageDirection } from '../entities/message-direction';
import { DATA_OF_MESSAGE } from '../entities/message-exec.entity';
import { MessageStatus } from '../entities/message-status';
import { SqliteDialect, toSqliteDatetime } from './sqlite-dialect';

const now = new Date('2025-01-02T03:04:05.678Z');
const earlier = new Date('2025-01-02T02:59:00.001Z');

describe('SqliteDialect', () => {
  const dialect = new SqliteDialect();

  describe('toSqliteDatetime', () => {
    it("writes dates exactly as TypeORM's SQLite driver stores datetime columns", () => {
      for (const date of [now, earlier, new Date('1999-12-31T23:59:59.999Z'), new Date(0)]) {
        expect(toSqliteDatetime(date)).toBe(DateUtils.mixedDateToUtcDatetimeString(date));
      }
      expect(toSqliteDatetime(now)).toBe('2025-01-02 03:04:05.678');
    });
  });

  it('claims due rows with one UPDATE … WHERE ID IN (SELECT … LIMIT) RETURNING', () => {
    const statement = dialect.claimDue({ now, limit: 50 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 1, "DATAATUALIZACAO" = ?',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" IN (0, 2) AND "DATATENTATIVAEXEC" <= ?',
        '  ORDER BY "DATATENTATIVAEXEC"',
        '  LIMIT ?',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual(['2025-01-02 03:04:05.678', '2025-01-02 03:04:05.678', 50]);
  });

  it('claims stalled rows (dispatched, or pending and never handed over) the same way, renewing DATAATUALIZACAO', () => {
    const statement = dialect.claimTimedOut({ now, dispatchedBefore: earlier, limit: 10 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "DATAATUALIZACAO" = ?',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" IN (0, 1)',
        '    AND ("DATATENTATIVAEXEC" IS NULL OR ("STATUS" = 1 AND "DATATENTATIVAEXEC" <= "DATAATUALIZACAO"))',
        '    AND "DATAATUALIZACAO" < ?',
        '  ORDER BY "DATAATUALIZACAO"',
        '  LIMIT ?',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual(['2025-01-02 03:04:05.678', '2025-01-02 02:59:00.001', 10]);
  });

  it('deletes succeeded messages by id', () => {
    const statement = dialect.deleteMessages(['a', 'b']);
    expect(statement.sql).toBe('DELETE FROM "GTOTVSLINKMESSAGE" WHERE "ID" IN (?, ?)');
    expect(statement.parameters).toEqual(['a', 'b']);
  });

  it('inserts attempts with ON CONFLICT DO NOTHING, returning the keys written', () => {
    const statement = dialect.insertAttempts([
      {
        messageId: 'm1',
        direction: MessageDirection.Downstream,
        command: 'Cmd',
        attempt: 1,
        status: AttemptStatus.Failure,
        startedAt: earlier,
        finishedAt: now,
        error: 'boom',
        data: 'detail',
      },
    ]);
    expect(statement.sql).toBe(
      [
        'INSERT INTO "GTOTVSLINKMESSAGEEXEC" ("IDMENSAGEM", "DIRECAO", "COMANDO", "TENTATIVA", "STATUS", ' +
          '"DATAINICIO", "DATAFIM", "ERRO", "DADOS")',
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        'ON CONFLICT ("IDMENSAGEM", "TENTATIVA") DO NOTHING',
        'RETURNING "ID", "IDMENSAGEM", "TENTATIVA"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      'm1',
      1,
      'Cmd',
      1,
      1,
      '2025-01-02 02:59:00.001',
      '2025-01-02 03:04:05.678',
      'boom',
      'detail',
    ]);
  });

  it('copies DADOS inside the database for DATA_OF_MESSAGE: the message row, else its latest attempt', () => {
    const statement = dialect.insertAttempts([
      {
        messageId: 'm1',
        direction: MessageDirection.Downstream,
        command: 'Cmd',
        attempt: 2,
        status: AttemptStatus.Success,
        startedAt: earlier,
        finishedAt: now,
        data: DATA_OF_MESSAGE,
      },
    ]);
    expect(statement.sql).toContain(
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ' +
        'COALESCE((SELECT m."DADOS" FROM "GTOTVSLINKMESSAGE" AS m WHERE m."ID" = ?), ' +
        '(SELECT e."DADOS" FROM "GTOTVSLINKMESSAGEEXEC" AS e WHERE e."IDMENSAGEM" = ? ' +
        'ORDER BY e."TENTATIVA" DESC LIMIT 1)))',
    );
    expect(statement.parameters.slice(-3)).toEqual([null, 'm1', 'm1']);
  });

  it('reads the origins of messages without DADOS', () => {
    const statement = dialect.selectOrigins(['a', 'b']);
    expect(statement.sql).toBe(
      'SELECT "ID", "DIRECAO", "COMANDO" FROM "GTOTVSLINKMESSAGE" WHERE "ID" IN (?, ?)',
    );
    expect(statement.parameters).toEqual(['a', 'b']);
  });

  it('purges old attempts through an ID IN (… LIMIT) subselect, sparing messages still stored', () => {
    const statement = dialect.purgeAttempts({ before: earlier, limit: 5000 });
    expect(statement.sql).toBe(
      [
        'DELETE FROM "GTOTVSLINKMESSAGEEXEC" WHERE "ID" IN (',
        '  SELECT e."ID" FROM "GTOTVSLINKMESSAGEEXEC" AS e',
        '  WHERE e."DATAFIM" < ?',
        '    AND NOT EXISTS (SELECT 1 FROM "GTOTVSLINKMESSAGE" AS m WHERE m."ID" = e."IDMENSAGEM")',
        '  LIMIT ?',
        ')',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual(['2025-01-02 02:59:00.001', 5000]);
  });

  it('purges old logs the same way', () => {
    const statement = dialect.purgeLogs({ before: earlier, limit: 100 });
    expect(statement.sql).toBe(
      [
        'DELETE FROM "GTOTVSLINKLOG" WHERE "ID" IN (',
        '  SELECT l."ID" FROM "GTOTVSLINKLOG" AS l',
        '  WHERE l."LOGDATE" < ?',
        '    AND NOT EXISTS (SELECT 1 FROM "GTOTVSLINKMESSAGE" AS m WHERE m."ID" = l."IDMENSAGEM")',
        '  LIMIT ?',
        ')',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual(['2025-01-02 02:59:00.001', 100]);
  });

  it('inserts messages with ON CONFLICT ("ID") DO NOTHING, returning the ids written', () => {
    const statement = dialect.insertMessages([
      {
        id: 'm1',
        direction: MessageDirection.Downstream,
        command: 'C',
        data: 'd',
        status: MessageStatus.WaitingRetry,
        attempts: 2,
        nextAttemptAt: now,
        createdAt: earlier,
        updatedAt: now,
        lastError: 'e',
      },
    ]);
    expect(statement.sql).toBe(
      [
        'INSERT INTO "GTOTVSLINKMESSAGE" ("ID", "DIRECAO", "COMANDO", "AUDIENCE", "TENANTID", "CORRELATEDID", "DADOS", ' +
          '"STATUS", "TENTATIVAS", "DATATENTATIVAEXEC", "DATACRIACAO", "DATAATUALIZACAO", "ULTIMOERRO")',
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        'ON CONFLICT ("ID") DO NOTHING',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      'm1',
      1,
      'C',
      null,
      null,
      null,
      'd',
      2,
      2,
      '2025-01-02 03:04:05.678',
      '2025-01-02 02:59:00.001',
      '2025-01-02 03:04:05.678',
      'e',
    ]);
  });

  it('records a failed attempt only over an older one, binding the attempt twice', () => {
    const statement = dialect.recordFailedAttempt({
      id: 'm1',
      attempt: 2,
      status: MessageStatus.WaitingRetry,
      nextAttemptAt: now,
      lastError: null,
      now: earlier,
    });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = ?, "TENTATIVAS" = ?,',
        '  "DATATENTATIVAEXEC" = ?, "ULTIMOERRO" = ?, "DATAATUALIZACAO" = ?',
        'WHERE "ID" = ? AND "TENTATIVAS" < ?',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      2,
      2,
      '2025-01-02 03:04:05.678',
      null,
      '2025-01-02 02:59:00.001',
      'm1',
      2,
    ]);
  });

  it('records failed attempts of several messages in one UPDATE … FROM a VALUES CTE, returning the ids changed', () => {
    const statement = dialect.recordFailedAttempts([
      {
        id: 'm1',
        attempt: 1,
        status: MessageStatus.WaitingRetry,
        nextAttemptAt: null,
        lastError: 'boom',
        now,
      },
      { id: 'm2', attempt: 3, status: MessageStatus.Dead, nextAttemptAt: earlier, lastError: 'fatal', now },
    ]);
    expect(statement.sql).toBe(
      [
        'WITH u ("ID", "TENTATIVA", "STATUS", "DATATENTATIVAEXEC", "ULTIMOERRO", "DATAATUALIZACAO") AS ' +
          '(VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?))',
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = u."STATUS", "TENTATIVAS" = u."TENTATIVA",',
        '  "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC", "ULTIMOERRO" = u."ULTIMOERRO", "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
        'FROM u',
        'WHERE "GTOTVSLINKMESSAGE"."ID" = u."ID" AND "GTOTVSLINKMESSAGE"."TENTATIVAS" < u."TENTATIVA"',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['m1', 1, 2, null, 'boom', '2025-01-02 03:04:05.678'],
      ...['m2', 3, 3, '2025-01-02 02:59:00.001', 'fatal', '2025-01-02 03:04:05.678'],
    ]);
  });

  it('marks messages dispatched for one attempt, only if still pending or waiting retry below that attempt', () => {
    const statement = dialect.markDispatched({ ids: ['a', 'b'], attempt: 1, now });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 1, "DATAATUALIZACAO" = ?, "DATATENTATIVAEXEC" = NULL',
        'WHERE "ID" IN (?, ?) AND "STATUS" IN (0, 2) AND "TENTATIVAS" < ?',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual(['2025-01-02 03:04:05.678', 'a', 'b', 1]);
  });

  it('inserts logs in one multi-row VALUES', () => {
    const statement = dialect.insertLogs([
      { type: LogType.Info, message: 'a', date: now },
      { type: LogType.Info, message: 'b', date: now, messageId: 'm1' },
    ]);
    expect(statement.sql).toBe(
      'INSERT INTO "GTOTVSLINKLOG" ("IDMENSAGEM", "LOGTYPE", "LOGMENSAGEM", "LOGDATE", "DATADEBUG")\n' +
        'VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)',
    );
    expect(statement.parameters).toEqual([
      ...[null, 0, 'a', '2025-01-02 03:04:05.678', null],
      ...['m1', 0, 'b', '2025-01-02 03:04:05.678', null],
    ]);
  });

  it('counts failed and fatal attempts since an instant written as the stored date text', () => {
    const statement = dialect.countFailedAttempts({ since: earlier });
    expect(statement.sql).toContain('WHERE "DATAFIM" >= ? AND "STATUS" IN (1, 2)');
    expect(statement.parameters).toEqual([toSqliteDatetime(earlier)]);
  });

  it('needs no statement before migrations: BEGIN IMMEDIATE is the lock', () => {
    expect(dialect.beforeMigrations()).toEqual([]);
  });
});

describe('SqliteDialect for the retry scheduler', () => {
  const dialect = new SqliteDialect();
  const later = new Date('2025-01-02T03:05:00.000Z');

  it('settles failed attempts through a VALUES CTE, only rows at that attempt and not yet planned', () => {
    const statement = dialect.settleFailedAttempts([
      { id: 'm1', attempt: 2, status: MessageStatus.WaitingRetry, nextAttemptAt: later, now },
      { id: 'm2', attempt: 5, status: MessageStatus.Dead, nextAttemptAt: null, now },
    ]);
    expect(statement.sql).toBe(
      [
        'WITH u ("ID", "TENTATIVA", "STATUS", "DATATENTATIVAEXEC", "DATAATUALIZACAO") AS (VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?))',
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = u."STATUS", "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC",',
        '  "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
        'FROM u',
        'WHERE "GTOTVSLINKMESSAGE"."ID" = u."ID" AND "GTOTVSLINKMESSAGE"."TENTATIVAS" = u."TENTATIVA" AND "GTOTVSLINKMESSAGE"."TENTATIVASBASE" < u."TENTATIVA"',
        '  AND "GTOTVSLINKMESSAGE"."DATATENTATIVAEXEC" IS NULL AND "GTOTVSLINKMESSAGE"."STATUS" IN (2, u."STATUS")',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['m1', 2, 2, toSqliteDatetime(later), toSqliteDatetime(now)],
      ...['m2', 5, 3, null, toSqliteDatetime(now)],
    ]);
  });

  it('applies started markers through a VALUES CTE, only to rows at the attempt before, pending or dispatched', () => {
    const statement = dialect.markStarted([
      { id: 'a', attempt: 2, startedAt: earlier, outcomeDueBy: now },
      { id: 'a', attempt: 3, startedAt: now, outcomeDueBy: later },
      { id: 'b', attempt: 1, startedAt: earlier, outcomeDueBy: later },
    ]);
    expect(statement.sql).toBe(
      [
        'WITH u ("ID", "TENTATIVA", "DATAATUALIZACAO", "DATATENTATIVAEXEC") AS (VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?))',
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 1, "DATAATUALIZACAO" = u."DATAATUALIZACAO", "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC"',
        'FROM u',
        'WHERE "GTOTVSLINKMESSAGE"."ID" = u."ID" AND "GTOTVSLINKMESSAGE"."TENTATIVAS" = u."TENTATIVA" - 1 AND "GTOTVSLINKMESSAGE"."STATUS" IN (0, 1)',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['a', 2, toSqliteDatetime(earlier), toSqliteDatetime(now)],
      ...['a', 3, toSqliteDatetime(now), toSqliteDatetime(later)],
      ...['b', 1, toSqliteDatetime(earlier), toSqliteDatetime(later)],
    ]);
  });

  it('takes 8,000 started markers per statement (32,000 parameters) and refuses more', () => {
    const rows = dialect.rowsPerStatement(4);
    expect(rows).toBe(8_000);
    const markers = Array.from({ length: rows + 1 }, (_, i) => ({
      id: `m${i}`,
      attempt: 1,
      startedAt: earlier,
      outcomeDueBy: now,
    }));
    expect(dialect.markStarted(markers.slice(0, rows)).parameters).toHaveLength(32_000);
    expect(() => dialect.markStarted(markers)).toThrow(RangeError);
    expect(() => dialect.markStarted([])).toThrow(RangeError);
  });

  it('claims failures never planned in one UPDATE, renewing DATAATUALIZACAO', () => {
    const statement = dialect.claimUnplanned({ now, failedBefore: earlier, limit: 20 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "DATAATUALIZACAO" = ?',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" = 2 AND "DATATENTATIVAEXEC" IS NULL AND "DATAATUALIZACAO" < ?',
        '  ORDER BY "DATAATUALIZACAO"',
        '  LIMIT ?',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([toSqliteDatetime(now), toSqliteDatetime(earlier), 20]);
  });

  it('releases claims only while still dispatched by that claim', () => {
    const statement = dialect.releaseClaims({ ids: ['a', 'b'], claimedAt: earlier, now });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 2, "DATAATUALIZACAO" = ?',
        'WHERE "ID" IN (?, ?) AND "STATUS" = 1 AND "DATAATUALIZACAO" = ?',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([toSqliteDatetime(now), 'a', 'b', toSqliteDatetime(earlier)]);
  });

  it('redrives dead rows matching every filter given, in one UPDATE', () => {
    const statement = dialect.redriveDead({
      ids: ['a'],
      command: 'Cmd',
      deadFrom: earlier,
      deadBefore: now,
      limit: 10,
      dueAt: later,
      now,
    });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 2, "TENTATIVASBASE" = "TENTATIVAS", "DATATENTATIVAEXEC" = ?, "DATAATUALIZACAO" = ?',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" = 3 AND "ID" IN (?) AND "COMANDO" = ? AND "DATAATUALIZACAO" >= ? AND "DATAATUALIZACAO" < ?',
        '  ORDER BY "DATAATUALIZACAO", "ID"',
        '  LIMIT ?',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      toSqliteDatetime(later),
      toSqliteDatetime(now),
      'a',
      'Cmd',
      toSqliteDatetime(earlier),
      toSqliteDatetime(now),
      10,
    ]);
  });

  it('refuses a redrive without any filter', () => {
    expect(() => dialect.redriveDead({ limit: 5, dueAt: later, now })).toThrow(/at least one filter/);
  });
});
