import { DateUtils } from 'typeorm/util/DateUtils';
import { AttemptStatus } from '../entities/attempt-status';
import { LogType } from '../entities/log-type';
import { MessageDirection } from '../entities/message-direction';
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

  it('claims timed-out dispatched rows the same way, renewing DATAATUALIZACAO', () => {
    const statement = dialect.claimTimedOut({ now, dispatchedBefore: earlier, limit: 10 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "DATAATUALIZACAO" = ?',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" = 1 AND "DATAATUALIZACAO" < ?',
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
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 1, "DATAATUALIZACAO" = ?',
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

  it('needs no statement before migrations: BEGIN IMMEDIATE is the lock', () => {
    expect(dialect.beforeMigrations()).toEqual([]);
  });
});
