import { AttemptStatus } from '../entities/attempt-status';
import { LogType } from '../entities/log-type';
import { MessageDirection } from '../entities/message-direction';
import { DATA_OF_MESSAGE } from '../entities/message-exec.entity';
import { MessageStatus } from '../entities/message-status';
import { PostgresDialect } from './postgres-dialect';

const now = new Date('2025-01-02T03:04:05.678Z');
const earlier = new Date('2025-01-02T02:59:00.001Z');

describe('PostgresDialect', () => {
  const dialect = new PostgresDialect();

  it('claims due rows through a FOR UPDATE SKIP LOCKED subselect and returns them', () => {
    const statement = dialect.claimDue({ now, limit: 50 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 1, "DATAATUALIZACAO" = $1',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" IN (0, 2) AND "DATATENTATIVAEXEC" <= $1',
        '  ORDER BY "DATATENTATIVAEXEC"',
        '  LIMIT $2',
        '  FOR UPDATE SKIP LOCKED',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([now, 50]);
  });

  it('claims stalled rows (dispatched, or pending and never handed over) the same way, renewing DATAATUALIZACAO', () => {
    const statement = dialect.claimTimedOut({ now, dispatchedBefore: earlier, limit: 10 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "DATAATUALIZACAO" = $1',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" IN (0, 1)',
        '    AND ("DATATENTATIVAEXEC" IS NULL OR ("STATUS" = 1 AND "DATATENTATIVAEXEC" <= "DATAATUALIZACAO"))',
        '    AND "DATAATUALIZACAO" < $2',
        '  ORDER BY "DATAATUALIZACAO"',
        '  LIMIT $3',
        '  FOR UPDATE SKIP LOCKED',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([now, earlier, 10]);
  });

  it('deletes succeeded messages with one array parameter', () => {
    const statement = dialect.deleteMessages(['a', 'b', 'c']);
    expect(statement.sql).toBe('DELETE FROM "GTOTVSLINKMESSAGE" WHERE "ID" = ANY($1)');
    expect(statement.parameters).toEqual([['a', 'b', 'c']]);
  });

  it('inserts attempts with ON CONFLICT DO NOTHING, returning the keys written', () => {
    const statement = dialect.insertAttempts([
      {
        messageId: 'm1',
        direction: MessageDirection.Downstream,
        command: 'Cmd',
        attempt: 1,
        status: AttemptStatus.Fatal,
        startedAt: earlier,
        finishedAt: now,
        error: 'bad input',
      },
      {
        messageId: 'm2',
        direction: MessageDirection.Upstream,
        command: 'Other',
        attempt: 2,
        status: AttemptStatus.Success,
        startedAt: earlier,
        finishedAt: now,
      },
    ]);
    expect(statement.sql).toBe(
      [
        'INSERT INTO "GTOTVSLINKMESSAGEEXEC" ("IDMENSAGEM", "DIRECAO", "COMANDO", "TENTATIVA", "STATUS", ' +
          '"DATAINICIO", "DATAFIM", "ERRO", "DADOS")',
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9), ($10, $11, $12, $13, $14, $15, $16, $17, $18)',
        'ON CONFLICT ("IDMENSAGEM", "TENTATIVA") DO NOTHING',
        'RETURNING "ID", "IDMENSAGEM", "TENTATIVA"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['m1', 1, 'Cmd', 1, 2, earlier, now, 'bad input', null],
      ...['m2', 0, 'Other', 2, 0, earlier, now, null, null],
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
      {
        messageId: 'm2',
        direction: MessageDirection.Downstream,
        command: 'Cmd',
        attempt: 1,
        status: AttemptStatus.Success,
        startedAt: earlier,
        finishedAt: now,
        data: 'given',
      },
    ]);
    expect(statement.sql).toBe(
      [
        'INSERT INTO "GTOTVSLINKMESSAGEEXEC" ("IDMENSAGEM", "DIRECAO", "COMANDO", "TENTATIVA", "STATUS", ' +
          '"DATAINICIO", "DATAFIM", "ERRO", "DADOS")',
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ' +
          'COALESCE((SELECT m."DADOS" FROM "GTOTVSLINKMESSAGE" AS m WHERE m."ID" = $9), ' +
          '(SELECT e."DADOS" FROM "GTOTVSLINKMESSAGEEXEC" AS e WHERE e."IDMENSAGEM" = $10 ' +
          'ORDER BY e."TENTATIVA" DESC LIMIT 1))), ($11, $12, $13, $14, $15, $16, $17, $18, $19)',
        'ON CONFLICT ("IDMENSAGEM", "TENTATIVA") DO NOTHING',
        'RETURNING "ID", "IDMENSAGEM", "TENTATIVA"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ...['m1', 1, 'Cmd', 2, 0, earlier, now, null, 'm1', 'm1'],
      ...['m2', 1, 'Cmd', 1, 0, earlier, now, null, 'given'],
    ]);
  });

  it('reads the origins of messages without DADOS, with one array parameter', () => {
    const statement = dialect.selectOrigins(['a', 'b']);
    expect(statement.sql).toBe(
      'SELECT "ID", "DIRECAO", "COMANDO" FROM "GTOTVSLINKMESSAGE" WHERE "ID" = ANY($1)',
    );
    expect(statement.parameters).toEqual([['a', 'b']]);
  });

  it('purges old attempts through an ID IN (… LIMIT) subselect, sparing messages still stored', () => {
    const statement = dialect.purgeAttempts({ before: earlier, limit: 5000 });
    expect(statement.sql).toBe(
      [
        'DELETE FROM "GTOTVSLINKMESSAGEEXEC" WHERE "ID" IN (',
        '  SELECT e."ID" FROM "GTOTVSLINKMESSAGEEXEC" AS e',
        '  WHERE e."DATAFIM" < $1',
        '    AND NOT EXISTS (SELECT 1 FROM "GTOTVSLINKMESSAGE" AS m WHERE m."ID" = e."IDMENSAGEM")',
        '  LIMIT $2',
        ')',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([earlier, 5000]);
  });

  it('purges old logs the same way', () => {
    const statement = dialect.purgeLogs({ before: earlier, limit: 100 });
    expect(statement.sql).toBe(
      [
        'DELETE FROM "GTOTVSLINKLOG" WHERE "ID" IN (',
        '  SELECT l."ID" FROM "GTOTVSLINKLOG" AS l',
        '  WHERE l."LOGDATE" < $1',
        '    AND NOT EXISTS (SELECT 1 FROM "GTOTVSLINKMESSAGE" AS m WHERE m."ID" = l."IDMENSAGEM")',
        '  LIMIT $2',
        ')',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([earlier, 100]);
  });

  it('inserts messages with ON CONFLICT ("ID") DO NOTHING, returning the ids written', () => {
    const statement = dialect.insertMessages([
      {
        id: 'm1',
        direction: MessageDirection.Upstream,
        command: 'C',
        data: '{}',
        status: MessageStatus.Pending,
        createdAt: now,
      },
    ]);
    expect(statement.sql).toBe(
      [
        'INSERT INTO "GTOTVSLINKMESSAGE" ("ID", "DIRECAO", "COMANDO", "AUDIENCE", "TENANTID", "CORRELATEDID", "DADOS", ' +
          '"STATUS", "TENTATIVAS", "DATATENTATIVAEXEC", "DATACRIACAO", "DATAATUALIZACAO", "ULTIMOERRO")',
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
        'ON CONFLICT ("ID") DO NOTHING',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual(['m1', 0, 'C', null, null, null, '{}', 0, 0, null, now, now, null]);
  });

  it('records a failed attempt only over an older one', () => {
    const statement = dialect.recordFailedAttempt({
      id: 'm1',
      attempt: 3,
      status: MessageStatus.Dead,
      nextAttemptAt: null,
      lastError: 'gave up',
      now,
    });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = $1, "TENTATIVAS" = $2,',
        '  "DATATENTATIVAEXEC" = $3, "ULTIMOERRO" = $4, "DATAATUALIZACAO" = $5',
        'WHERE "ID" = $6 AND "TENTATIVAS" < $2',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([3, 3, null, 'gave up', now, 'm1']);
  });

  it('records failed attempts of several messages in one UPDATE … FROM unnest of one array per column', () => {
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
        'UPDATE "GTOTVSLINKMESSAGE" AS m SET "STATUS" = u."STATUS", "TENTATIVAS" = u."TENTATIVA",',
        '  "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC", "ULTIMOERRO" = u."ULTIMOERRO", "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
        'FROM unnest($1::varchar[], $2::integer[], $3::smallint[], $4::timestamptz[], $5::text[], $6::timestamptz[])',
        '  AS u ("ID", "TENTATIVA", "STATUS", "DATATENTATIVAEXEC", "ULTIMOERRO", "DATAATUALIZACAO")',
        'WHERE m."ID" = u."ID" AND m."TENTATIVAS" < u."TENTATIVA"',
        'RETURNING m."ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ['m1', 'm2'],
      [1, 3],
      [2, 3],
      [null, earlier],
      ['boom', 'fatal'],
      [now, now],
    ]);
  });

  it('marks messages dispatched for one attempt, only if still pending or waiting retry below that attempt', () => {
    const statement = dialect.markDispatched({ ids: ['a', 'b'], attempt: 2, now });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 1, "DATAATUALIZACAO" = $1, "DATATENTATIVAEXEC" = NULL',
        'WHERE "ID" = ANY($2) AND "STATUS" IN (0, 2) AND "TENTATIVAS" < $3',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([now, ['a', 'b'], 2]);
  });

  it('inserts logs in one multi-row VALUES', () => {
    const statement = dialect.insertLogs([{ type: LogType.Warning, message: 'slow', date: now }]);
    expect(statement.sql).toBe(
      'INSERT INTO "GTOTVSLINKLOG" ("IDMENSAGEM", "LOGTYPE", "LOGMENSAGEM", "LOGDATE", "DATADEBUG")\n' +
        'VALUES ($1, $2, $3, $4, $5)',
    );
    expect(statement.parameters).toEqual([null, 1, 'slow', now, null]);
  });

  describe('before migrations', () => {
    it('takes a transaction-scoped advisory lock', () => {
      expect(dialect.beforeMigrations()).toEqual([
        { sql: 'SELECT pg_advisory_xact_lock(hashtext($1))', parameters: ['GTOTVSLINKMIGRATIONS'] },
      ]);
    });

    it('also creates the schema when one is configured', () => {
      expect(new PostgresDialect('smartlink').beforeMigrations()[1]).toEqual({
        sql: 'CREATE SCHEMA IF NOT EXISTS "smartlink"',
        parameters: [],
      });
    });
  });

  it('qualifies tables with the quoted schema', () => {
    expect(new PostgresDialect('smartlink').deleteMessages(['a']).sql).toBe(
      'DELETE FROM "smartlink"."GTOTVSLINKMESSAGE" WHERE "ID" = ANY($1)',
    );
  });

  it('keeps a statement under the 65,535-parameter limit of the wire protocol', () => {
    expect(dialect.rowsPerStatement(13) * 13).toBeLessThanOrEqual(65_535);
  });
});

describe('PostgresDialect for the retry scheduler', () => {
  const dialect = new PostgresDialect();
  const later = new Date('2025-01-02T03:05:00.000Z');

  it('settles failed attempts in one UPDATE … FROM unnest, only rows at that attempt and not yet planned', () => {
    const statement = dialect.settleFailedAttempts([
      { id: 'm1', attempt: 2, status: MessageStatus.WaitingRetry, nextAttemptAt: later, now },
      { id: 'm2', attempt: 5, status: MessageStatus.Dead, nextAttemptAt: null, now },
    ]);
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" AS m SET "STATUS" = u."STATUS", "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC",',
        '  "DATAATUALIZACAO" = u."DATAATUALIZACAO"',
        'FROM unnest($1::varchar[], $2::integer[], $3::smallint[], $4::timestamptz[], $5::timestamptz[])',
        '  AS u ("ID", "TENTATIVA", "STATUS", "DATATENTATIVAEXEC", "DATAATUALIZACAO")',
        'WHERE m."ID" = u."ID" AND m."TENTATIVAS" = u."TENTATIVA" AND m."TENTATIVASBASE" < u."TENTATIVA"',
        '  AND m."DATATENTATIVAEXEC" IS NULL AND m."STATUS" IN (2, u."STATUS")',
        'RETURNING m.*',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ['m1', 'm2'],
      [2, 5],
      [2, 3],
      [later, null],
      [now, now],
    ]);
  });

  it('claims failures never planned through a FOR UPDATE SKIP LOCKED subselect, renewing DATAATUALIZACAO', () => {
    const statement = dialect.claimUnplanned({ now, failedBefore: earlier, limit: 20 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "DATAATUALIZACAO" = $1',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" = 2 AND "DATATENTATIVAEXEC" IS NULL AND "DATAATUALIZACAO" < $2',
        '  ORDER BY "DATAATUALIZACAO"',
        '  LIMIT $3',
        '  FOR UPDATE SKIP LOCKED',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([now, earlier, 20]);
  });

  it('applies started markers in one statement: rows at the attempt before, locked in ID order first', () => {
    const statement = dialect.markStarted([
      { id: 'a', attempt: 2, startedAt: earlier, outcomeDueBy: now },
      { id: 'a', attempt: 3, startedAt: now, outcomeDueBy: later },
      { id: 'b', attempt: 1, startedAt: earlier, outcomeDueBy: later },
    ]);
    expect(statement.sql).toBe(
      [
        'WITH locked AS MATERIALIZED (',
        '  SELECT m."ID", u."TENTATIVA", u."DATAATUALIZACAO", u."DATATENTATIVAEXEC"',
        '  FROM "GTOTVSLINKMESSAGE" AS m',
        '  JOIN unnest($1::varchar[], $2::integer[], $3::timestamptz[], $4::timestamptz[])',
        '    AS u ("ID", "TENTATIVA", "DATAATUALIZACAO", "DATATENTATIVAEXEC") ON m."ID" = u."ID"',
        '  WHERE m."TENTATIVAS" = u."TENTATIVA" - 1 AND m."STATUS" IN (0, 1)',
        '  ORDER BY m."ID"',
        '  FOR UPDATE OF m',
        ')',
        'UPDATE "GTOTVSLINKMESSAGE" AS m SET "STATUS" = 1, "DATAATUALIZACAO" = u."DATAATUALIZACAO",',
        '  "DATATENTATIVAEXEC" = u."DATATENTATIVAEXEC"',
        'FROM locked AS u',
        'WHERE m."ID" = u."ID" AND m."TENTATIVAS" = u."TENTATIVA" - 1 AND m."STATUS" IN (0, 1)',
        'RETURNING m."ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([
      ['a', 'a', 'b'],
      [2, 3, 1],
      [earlier, now, earlier],
      [now, later, later],
    ]);
  });

  it('takes as many started markers as the parameter limit allows, four values each, and refuses more', () => {
    const rows = dialect.rowsPerStatement(4);
    expect(rows).toBe(16_250);
    const markers = Array.from({ length: rows + 1 }, (_, i) => ({
      id: `m${i}`,
      attempt: 1,
      startedAt: earlier,
      outcomeDueBy: now,
    }));
    // Four array parameters whatever the batch size: the limit guards the values they carry.
    expect(dialect.markStarted(markers.slice(0, rows)).parameters).toHaveLength(4);
    expect(() => dialect.markStarted(markers)).toThrow(RangeError);
    expect(() => dialect.markStarted([])).toThrow(RangeError);
  });

  it('claims overdue started attempts through a FOR UPDATE SKIP LOCKED subselect, keeping the start', () => {
    const statement = dialect.claimOverdueStarted({ now: earlier, reclaimAt: now, limit: 10 });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "DATATENTATIVAEXEC" = $1',
        'WHERE "ID" IN (',
        '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
        '  WHERE "STATUS" = 1 AND "DATATENTATIVAEXEC" < $2 AND "DATATENTATIVAEXEC" > "DATAATUALIZACAO"',
        '  ORDER BY "DATATENTATIVAEXEC"',
        '  LIMIT $3',
        '  FOR UPDATE SKIP LOCKED',
        ')',
        'RETURNING *',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([now, earlier, 10]);
  });

  it('releases claims only while still dispatched by that claim', () => {
    const statement = dialect.releaseClaims({ ids: ['a', 'b'], claimedAt: earlier, now });
    expect(statement.sql).toBe(
      [
        'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 2, "DATAATUALIZACAO" = $1',
        'WHERE "ID" = ANY($2) AND "STATUS" = 1 AND "DATAATUALIZACAO" = $3',
        'RETURNING "ID"',
      ].join('\n'),
    );
    expect(statement.parameters).toEqual([now, ['a', 'b'], earlier]);
  });

  describe('redriveDead', () => {
    it('takes dead rows with every filter given through a FOR UPDATE SKIP LOCKED subselect', () => {
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
          'UPDATE "GTOTVSLINKMESSAGE" SET "STATUS" = 2, "TENTATIVASBASE" = "TENTATIVAS", "DATATENTATIVAEXEC" = $1, "DATAATUALIZACAO" = $2',
          'WHERE "ID" IN (',
          '  SELECT "ID" FROM "GTOTVSLINKMESSAGE"',
          '  WHERE "STATUS" = 3 AND "ID" = ANY($3) AND "COMANDO" = $4 AND "DATAATUALIZACAO" >= $5 AND "DATAATUALIZACAO" < $6',
          '  ORDER BY "DATAATUALIZACAO", "ID"',
          '  LIMIT $7',
          '  FOR UPDATE SKIP LOCKED',
          ')',
          'RETURNING *',
        ].join('\n'),
      );
      expect(statement.parameters).toEqual([later, now, ['a', 'b'], 'Cmd', earlier, now, 10]);
    });

    it('leaves out the filters not given', () => {
      const statement = dialect.redriveDead({ command: 'Cmd', limit: 5, dueAt: later, now });
      expect(statement.sql).toContain('  WHERE "STATUS" = 3 AND "COMANDO" = $3\n');
      expect(statement.parameters).toEqual([later, now, 'Cmd', 5]);
    });

    it('refuses a redrive without any filter, or with a limit below 1', () => {
      expect(() => dialect.redriveDead({ limit: 5, dueAt: later, now })).toThrow(/at least one filter/);
      expect(() => dialect.redriveDead({ command: 'C', limit: 0, dueAt: later, now })).toThrow(/limit/);
      expect(() => dialect.redriveDead({ ids: [], limit: 1, dueAt: later, now })).toThrow(RangeError);
    });
  });
});
