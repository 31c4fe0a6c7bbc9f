import { MssqlParameter } from 'typeorm';
import { AttemptStatus } from '../entities/attempt-status';
import { LogType } from '../entities/log-type';
import { MessageDirection } from '../entities/message-direction';
import { DATA_OF_MESSAGE } from '../entities/message-exec.entity';
import { MessageStatus } from '../entities/message-status';
import { MssqlDialect } from './mssql-dialect';

const now = new Date('2025-01-02T03:04:05.678Z');
const earlier = new Date('2025-01-02T02:59:00.001Z');
const datetime2 = (date: Date) => new MssqlParameter(date, 'datetime2', 3);

describe('MssqlDialect', () => {
  const dialect = new MssqlDialect();

  describe('claimDue', () => {
    it('takes due rows with UPDLOCK, READPAST, ROWLOCK, marks them dispatched and outputs them', () => {
      const statement = dialect.claimDue({ now, limit: 50 });
      expect(statement.sql).toBe(
        [
          'WITH claimed AS (',
          '  SELECT TOP (@0) * FROM GTOTVSLINKMESSAGE WITH (UPDLOCK, READPAST, ROWLOCK)',
          '  WHERE STATUS IN (0, 2) AND DATATENTATIVAEXEC <= @1',
          '  ORDER BY DATATENTATIVAEXEC',
          ')',
          'UPDATE claimed SET STATUS = 1, DATAATUALIZACAO = @1',
          'OUTPUT INSERTED.*',
        ].join('\n'),
      );
      expect(statement.parameters).toEqual([50, datetime2(now)]);
    });

    it('binds dates as datetime2(3), not the legacy datetime mssql picks for a bare Date', () => {
      const [, at] = dialect.claimDue({ now, limit: 1 }).parameters;
      expect(at).toBeInstanceOf(MssqlParameter);
      expect(at).toMatchObject({ type: 'datetime2', params: [3], value: now });
    });
  });

  it('claims stalled rows (dispatched, or pending and never handed over) the same way, renewing DATAATUALIZACAO', () => {
    const statement = dialect.claimTimedOut({ now, dispatchedBefore: earlier, limit: 10 });
    expect(statement.sql).toBe(
      [
        'WITH claimed AS (',
        '  SELECT TOP (@0) * FROM GTOTVSLINKMESSAGE WITH (UPDLOCK, READPAST, ROWLOCK)',
        '  WHERE STATUS IN (0, 1)',
        '    AND (DATATENTATIVAEXEC IS NULL OR (STATUS = 1 AND DATATENTATIVAEXEC <= DATAATUALIZACAO))',
        '    AND DATAATUALIZACAO < @1',
        '  ORDER BY DATAATUALIZACAO',
        ')',
        'UPDATE claimed SET DATAATUALIZACAO = @2',
        'OUTPUT INSERTED.*',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([10, datetime2(earlier), datetime2(now)]);
  });

  it('deletes succeeded messages by id', () => {
    const statement = dialect.deleteMessages(['a', 'b', 'c']);
    expect(statement.sql).toBe('DELETE FROM GTOTVSLINKMESSAGE WHERE ID IN (@0, @1, @2)');
    expect(statement.parameters).toEqual(['a', 'b', 'c']);
  });

  it('inserts attempts with a locked NOT EXISTS check, since SQL Server has no ON CONFLICT', () => {
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
      },
      {
        messageId: 'm2',
        direction: MessageDirection.Upstream,
        command: 'Other',
        attempt: 3,
        status: AttemptStatus.Success,
        startedAt: earlier,
        finishedAt: now,
        data: '{"ok":true}',
      },
    ]);
    const columns = 'IDMENSAGEM, DIRECAO, COMANDO, TENTATIVA, STATUS, DATAINICIO, DATAFIM, ERRO, DADOS';
    expect(statement.sql).toBe(
      [
        `INSERT INTO GTOTVSLINKMESSAGEEXEC (${columns})`,
        'OUTPUT INSERTED.ID, INSERTED.IDMENSAGEM, INSERTED.TENTATIVA',
        'SELECT * FROM (VALUES (@0, @1, @2, @3, @4, @5, @6, @7, @8), (@9, @10, @11, @12, @13, @14, @15, @16, @17))' +
          ` AS v (${columns})`,
        'WHERE NOT EXISTS (SELECT 1 FROM GTOTVSLINKMESSAGEEXEC AS e WITH (UPDLOCK, HOLDLOCK)',
        '  WHERE e.IDMENSAGEM = v.IDMENSAGEM AND e.TENTATIVA = v.TENTATIVA)',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['m1', 1, 'Cmd', 1, 1, datetime2(earlier), datetime2(now), 'boom', null],
      ...['m2', 0, 'Other', 3, 0, datetime2(earlier), datetime2(now), null, '{"ok":true}'],
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
      'SELECT * FROM (VALUES (@0, @1, @2, @3, @4, @5, @6, @7, ' +
        'COALESCE((SELECT m.DADOS FROM GTOTVSLINKMESSAGE AS m WHERE m.ID = @8), ' +
        '(SELECT TOP (1) e.DADOS FROM GTOTVSLINKMESSAGEEXEC AS e WHERE e.IDMENSAGEM = @9 ' +
        'ORDER BY e.TENTATIVA DESC)))) AS v (',
    );
    expect(statement.parameters).toEqual([
      'm1',
      1,
      'Cmd',
      2,
      0,
      datetime2(earlier),
      datetime2(now),
      null,
      'm1',
      'm1',
    ]);
  });

  it('reads the origins of messages without DADOS', () => {
    const statement = dialect.selectOrigins(['a', 'b']);
    expect(statement.sql).toBe('SELECT ID, DIRECAO, COMANDO FROM GTOTVSLINKMESSAGE WHERE ID IN (@0, @1)');
    expect(statement.parameters).toEqual(['a', 'b']);
  });

  it('purges old attempts in chunks with DELETE TOP, sparing messages still stored', () => {
    const statement = dialect.purgeAttempts({ before: earlier, limit: 5000 });
    expect(statement.sql).toBe(
      [
        'DELETE TOP (@0) e FROM GTOTVSLINKMESSAGEEXEC AS e',
        'WHERE e.DATAFIM < @1',
        '  AND NOT EXISTS (SELECT 1 FROM GTOTVSLINKMESSAGE AS m WHERE m.ID = e.IDMENSAGEM)',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([5000, datetime2(earlier)]);
  });

  it('purges old logs the same way', () => {
    const statement = dialect.purgeLogs({ before: earlier, limit: 100 });
    expect(statement.sql).toBe(
      [
        'DELETE TOP (@0) l FROM GTOTVSLINKLOG AS l',
        'WHERE l.LOGDATE < @1',
        '  AND NOT EXISTS (SELECT 1 FROM GTOTVSLINKMESSAGE AS m WHERE m.ID = l.IDMENSAGEM)',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([100, datetime2(earlier)]);
  });

  it('inserts messages skipping stored ids, outputting the ids written', () => {
    const statement = dialect.insertMessages([
      {
        id: 'm1',
        direction: MessageDirection.Downstream,
        command: 'Cmd',
        tenantId: 't1',
        data: 'ação',
        status: MessageStatus.Pending,
        nextAttemptAt: now,
        createdAt: now,
      },
    ]);
    const columns =
      'ID, DIRECAO, COMANDO, AUDIENCE, TENANTID, CORRELATEDID, DADOS, STATUS, TENTATIVAS, DATATENTATIVAEXEC, ' +
      'DATACRIACAO, DATAATUALIZACAO, ULTIMOERRO';
    expect(statement.sql).toBe(
      [
        `INSERT INTO GTOTVSLINKMESSAGE (${columns})`,
        'OUTPUT INSERTED.ID',
        `SELECT * FROM (VALUES (@0, @1, @2, @3, @4, @5, @6, @7, @8, @9, @10, @11, @12)) AS v (${columns})`,
        'WHERE NOT EXISTS (SELECT 1 FROM GTOTVSLINKMESSAGE AS m WITH (UPDLOCK, HOLDLOCK) WHERE m.ID = v.ID)',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual(
      ['m1', 1, 'Cmd', null, 't1', null, 'ação', 0, 0, now, now, now, null].map((v) =>
        v instanceof Date ? datetime2(v) : v,
      ),
    );
  });

  it('records a failed attempt only over an older one', () => {
    const statement = dialect.recordFailedAttempt({
      id: 'm1',
      attempt: 2,
      status: MessageStatus.WaitingRetry,
      nextAttemptAt: now,
      lastError: 'boom',
      now: earlier,
    });
    expect(statement.sql).toBe(
      [
        'UPDATE GTOTVSLINKMESSAGE SET STATUS = @0, TENTATIVAS = @1,',
        '  DATATENTATIVAEXEC = @2, ULTIMOERRO = @3, DATAATUALIZACAO = @4',
        'WHERE ID = @5 AND TENTATIVAS < @1',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([2, 2, datetime2(now), 'boom', datetime2(earlier), 'm1']);
  });

  it('records failed attempts of several messages in one UPDATE joined to VALUES, outputting the ids changed', () => {
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
        'UPDATE m SET STATUS = u.STATUS, TENTATIVAS = u.TENTATIVA,',
        '  DATATENTATIVAEXEC = u.DATATENTATIVAEXEC, ULTIMOERRO = u.ULTIMOERRO, DATAATUALIZACAO = u.DATAATUALIZACAO',
        'OUTPUT INSERTED.ID',
        'FROM GTOTVSLINKMESSAGE AS m',
        'JOIN (VALUES (@0, @1, @2, @3, @4, @5), (@6, @7, @8, @9, @10, @11)) AS u ' +
          '(ID, TENTATIVA, STATUS, DATATENTATIVAEXEC, ULTIMOERRO, DATAATUALIZACAO) ON m.ID = u.ID',
        'WHERE m.TENTATIVAS < u.TENTATIVA',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['m1', 1, 2, new MssqlParameter(null, 'datetime2', 3), 'boom', datetime2(now)],
      ...['m2', 3, 3, datetime2(earlier), 'fatal', datetime2(now)],
    ]);
  });

  it('marks messages dispatched for one attempt, only if still pending or waiting retry below that attempt', () => {
    const statement = dialect.markDispatched({ ids: ['a', 'b'], attempt: 1, now });
    expect(statement.sql).toBe(
      [
        'UPDATE GTOTVSLINKMESSAGE SET STATUS = 1, DATAATUALIZACAO = @0, DATATENTATIVAEXEC = NULL',
        'OUTPUT INSERTED.ID',
        'WHERE ID IN (@1, @2) AND STATUS IN (0, 2) AND TENTATIVAS < @3',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([datetime2(now), 'a', 'b', 1]);
  });

  it('inserts logs in one multi-row VALUES', () => {
    const statement = dialect.insertLogs([
      { type: LogType.Info, message: 'hello', date: now },
      { messageId: 'm1', type: LogType.Error, message: 'bad', date: now, debug: 'stack' },
    ]);
    expect(statement.sql).toBe(
      'INSERT INTO GTOTVSLINKLOG (IDMENSAGEM, LOGTYPE, LOGMENSAGEM, LOGDATE, DATADEBUG) ' +
        'VALUES (@0, @1, @2, @3, @4), (@5, @6, @7, @8, @9)',
    );
    expect(statement.parameters).toEqual([
      null,
      0,
      'hello',
      datetime2(now),
      null,
      'm1',
      2,
      'bad',
      datetime2(now),
      'stack',
    ]);
  });

  it('takes an application lock owned by the migration transaction', () => {
    expect(dialect.beforeMigrations()).toEqual([
      {
        sql: [
          'DECLARE @result int;',
          "EXEC @result = sp_getapplock @Resource = N'GTOTVSLINKMIGRATIONS', @LockMode = N'Exclusive',",
          "  @LockOwner = N'Transaction', @LockTimeout = @0;",
          "IF @result < 0 THROW 50000, N'Timed out waiting for another process to finish the GTOTVSLINKMIGRATIONS migrations', 1;",
        ].join('\n'),
        parameters: [60_000],
      },
    ]);
  });

  describe('operator counts', () => {
    it('counts messages by direction, command and status with the oldest creation time, without hints', () => {
      expect(dialect.countMessages()).toEqual({
        sql: [
          'SELECT DIRECAO, COMANDO, STATUS, COUNT(*) AS TOTAL, MIN(DATACRIACAO) AS MAISANTIGA',
          'FROM GTOTVSLINKMESSAGE',
          'GROUP BY DIRECAO, COMANDO, STATUS',
        ].join('\n'),
        parameters: [],
      });
    });

    it('counts failed and fatal attempts finished since an instant bound as datetime2(3)', () => {
      expect(dialect.countFailedAttempts({ since: earlier })).toEqual({
        sql: [
          'SELECT DIRECAO, COMANDO, STATUS, COUNT(*) AS TOTAL, MAX(DATAFIM) AS MAISRECENTE',
          'FROM GTOTVSLINKMESSAGEEXEC',
          'WHERE DATAFIM >= @0 AND STATUS IN (1, 2)',
          'GROUP BY DIRECAO, COMANDO, STATUS',
        ].join('\n'),
        parameters: [datetime2(earlier)],
      });
    });
  });

  describe('with a schema', () => {
    const inSchema = new MssqlDialect('smartlink');

    it('qualifies every table with the bracketed schema', () => {
      expect(inSchema.claimDue({ now, limit: 1 }).sql).toContain('FROM [smartlink].GTOTVSLINKMESSAGE WITH');
      expect(inSchema.countMessages().sql).toContain('FROM [smartlink].GTOTVSLINKMESSAGE\nGROUP BY');
      expect(inSchema.countFailedAttempts({ since: now }).sql).toContain(
        'FROM [smartlink].GTOTVSLINKMESSAGEEXEC\nWHERE',
      );
      expect(inSchema.purgeLogs({ before: now, limit: 1 }).sql).toContain(
        'FROM [smartlink].GTOTVSLINKLOG AS l\nWHERE l.LOGDATE < @1\n  AND NOT EXISTS (SELECT 1 FROM [smartlink].GTOTVSLINKMESSAGE AS m',
      );
    });
  });

  describe('batch limits', () => {
    it('keeps a statement under 2,100 parameters and 1,000 VALUES rows', () => {
      expect(dialect.rowsPerStatement(9)).toBe(222);
      expect(dialect.rowsPerStatement(1)).toBe(1000);
    });

    it('refuses a batch the store should have split', () => {
      const ids = Array.from({ length: 1001 }, (_, i) => `m${i}`);
      expect(() => dialect.deleteMessages(ids)).toThrow(RangeError);
      expect(() => dialect.deleteMessages([])).toThrow(RangeError);
      expect(() => dialect.markDispatched({ ids, attempt: 1, now })).toThrow(RangeError);
      expect(() => dialect.recordFailedAttempts([])).toThrow(RangeError);
    });
  });
});

describe('MssqlDialect for the retry scheduler', () => {
  const dialect = new MssqlDialect();
  const later = new Date('2025-01-02T03:05:00.000Z');

  it('settles failed attempts through UPDATE … JOIN (VALUES …), outputting the changed rows', () => {
    const statement = dialect.settleFailedAttempts([
      { id: 'm1', attempt: 2, status: MessageStatus.WaitingRetry, nextAttemptAt: later, now },
      { id: 'm2', attempt: 5, status: MessageStatus.Dead, nextAttemptAt: null, now },
    ]);
    expect(statement.sql).toBe(
      [
        'UPDATE m SET STATUS = u.STATUS, DATATENTATIVAEXEC = u.DATATENTATIVAEXEC, DATAATUALIZACAO = u.DATAATUALIZACAO',
        'OUTPUT INSERTED.*',
        'FROM GTOTVSLINKMESSAGE AS m',
        'JOIN (VALUES (@0, @1, @2, @3, @4), (@5, @6, @7, @8, @9)) AS u (ID, TENTATIVA, STATUS, DATATENTATIVAEXEC, DATAATUALIZACAO) ON m.ID = u.ID',
        'WHERE m.TENTATIVAS = u.TENTATIVA AND m.TENTATIVASBASE < u.TENTATIVA',
        '  AND m.DATATENTATIVAEXEC IS NULL AND m.STATUS IN (2, u.STATUS)',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['m1', 2, 2, datetime2(later), datetime2(now)],
      // A null time is still bound as datetime2, so the VALUES column has one type.
      ...['m2', 5, 3, new MssqlParameter(null, 'datetime2', 3), datetime2(now)],
    ]);
  });

  it('claims failures never planned with UPDLOCK, READPAST, ROWLOCK, renewing DATAATUALIZACAO', () => {
    const statement = dialect.claimUnplanned({ now, failedBefore: earlier, limit: 20 });
    expect(statement.sql).toBe(
      [
        'WITH claimed AS (',
        '  SELECT TOP (@0) * FROM GTOTVSLINKMESSAGE WITH (UPDLOCK, READPAST, ROWLOCK)',
        '  WHERE STATUS = 2 AND DATATENTATIVAEXEC IS NULL AND DATAATUALIZACAO < @1',
        '  ORDER BY DATAATUALIZACAO',
        ')',
        'UPDATE claimed SET DATAATUALIZACAO = @2',
        'OUTPUT INSERTED.*',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([20, datetime2(earlier), datetime2(now)]);
  });

  it('applies started markers through UPDATE … JOIN (VALUES …), only to rows at the attempt before', () => {
    const statement = dialect.markStarted([
      { id: 'a', attempt: 2, startedAt: earlier, outcomeDueBy: now },
      { id: 'a', attempt: 3, startedAt: now, outcomeDueBy: later },
      { id: 'b', attempt: 1, startedAt: earlier, outcomeDueBy: later },
    ]);
    expect(statement.sql).toBe(
      [
        'UPDATE m SET STATUS = 1, DATAATUALIZACAO = u.DATAATUALIZACAO, DATATENTATIVAEXEC = u.DATATENTATIVAEXEC',
        'OUTPUT INSERTED.ID',
        'FROM GTOTVSLINKMESSAGE AS m',
        'JOIN (VALUES (@0, @1, @2, @3), (@4, @5, @6, @7), (@8, @9, @10, @11)) AS u (ID, TENTATIVA, DATAATUALIZACAO, DATATENTATIVAEXEC) ON m.ID = u.ID',
        'WHERE m.TENTATIVAS = u.TENTATIVA - 1 AND m.STATUS IN (0, 1)',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['a', 2, datetime2(earlier), datetime2(now)],
      ...['a', 3, datetime2(now), datetime2(later)],
      ...['b', 1, datetime2(earlier), datetime2(later)],
    ]);
  });

  it('takes 500 started markers per statement (2,000 parameters) and refuses more', () => {
    const rows = dialect.rowsPerStatement(4);
    expect(rows).toBe(500);
    const markers = Array.from({ length: rows + 1 }, (_, i) => ({
      id: `m${i}`,
      attempt: 1,
      startedAt: earlier,
      outcomeDueBy: now,
    }));
    const statement = dialect.markStarted(markers.slice(0, rows));
    expect(statement.parameters).toHaveLength(2_000);
    expect(statement.sql).toContain('(@1996, @1997, @1998, @1999)) AS u');
    expect(() => dialect.markStarted(markers)).toThrow(RangeError);
    expect(() => dialect.markStarted([])).toThrow(RangeError);
  });

  it('claims overdue started attempts with UPDLOCK, READPAST, ROWLOCK, keeping the start', () => {
    const statement = dialect.claimOverdueStarted({ now: earlier, reclaimAt: now, limit: 10 });
    expect(statement.sql).toBe(
      [
        'WITH claimed AS (',
        '  SELECT TOP (@0) * FROM GTOTVSLINKMESSAGE WITH (UPDLOCK, READPAST, ROWLOCK)',
        '  WHERE STATUS = 1 AND DATATENTATIVAEXEC < @1 AND DATATENTATIVAEXEC > DATAATUALIZACAO',
        '  ORDER BY DATATENTATIVAEXEC',
        ')',
        'UPDATE claimed SET DATATENTATIVAEXEC = @2',
        'OUTPUT INSERTED.*',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([10, datetime2(earlier), datetime2(now)]);
  });

  it('releases claims only while still dispatched by that claim', () => {
    const statement = dialect.releaseClaims({ ids: ['a', 'b'], claimedAt: earlier, now });
    expect(statement.sql).toBe(
      [
        'UPDATE GTOTVSLINKMESSAGE SET STATUS = 2, DATAATUALIZACAO = @0',
        'OUTPUT INSERTED.ID',
        'WHERE ID IN (@1, @2) AND STATUS = 1 AND DATAATUALIZACAO = @3',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([datetime2(now), 'a', 'b', datetime2(earlier)]);
  });

  describe('redriveDead', () => {
    it('takes dead rows with UPDLOCK, READPAST, ROWLOCK, giving them a fresh budget, and outputs them', () => {
      const statement = dialect.redriveDead({
        ids: ['a', 'b'],
        command: 'Cmd',
        deadFrom: earlier,
        deadBefore: now,
        limit: 10,
        dueAt: later,
        now,
      });
      expect(statement.sql).toBe(
        [
          'WITH picked AS (',
          '  SELECT TOP (@0) * FROM GTOTVSLINKMESSAGE WITH (UPDLOCK, READPAST, ROWLOCK)',
          '  WHERE STATUS = 3 AND ID IN (@1, @2) AND COMANDO = @3 AND DATAATUALIZACAO >= @4 AND DATAATUALIZACAO < @5',
          '  ORDER BY DATAATUALIZACAO, ID',
          ')',
          'UPDATE picked SET STATUS = 2, TENTATIVASBASE = TENTATIVAS, DATATENTATIVAEXEC = @6,',
          '  DATAATUALIZACAO = @7',
          'OUTPUT INSERTED.*',
        ].join('\n'),
      );
      expect(statement.parameters).toEqual([
        10,
        'a',
        'b',
        'Cmd',
        datetime2(earlier),
        datetime2(now),
        datetime2(later),
        datetime2(now),
      ]);
    });

    it('leaves out the filters not given', () => {
      const statement = dialect.redriveDead({ deadBefore: now, limit: 3, dueAt: later, now });
      expect(statement.sql).toContain('  WHERE STATUS = 3 AND DATAATUALIZACAO < @1\n');
      expect(statement.parameters).toEqual([3, datetime2(now), datetime2(later), datetime2(now)]);
    });

    it('refuses a redrive without any filter, and more ids than one statement takes', () => {
      expect(() => dialect.redriveDead({ limit: 5, dueAt: later, now })).toThrow(/at least one filter/);
      const ids = Array.from({ length: 995 }, (_, i) => `id${i}`);
      expect(() => dialect.redriveDead({ ids, limit: 5, dueAt: later, now })).toThrow(RangeError);
    });
  });
});
