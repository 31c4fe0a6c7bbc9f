import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  AttemptStatus,
  LogStore,
  MessageExecStore,
  MessageStatus,
  MessageStore,
  RmSchemaMismatchError,
  RmTablesModule,
  openRmTables,
  scratchSqlitePath,
  type DatabaseSettings,
} from '../src';
import { openRmDataSource } from '../src/lib/data-source/open-rm-data-source';
import { rmDataSourceOptions } from '../src/lib/data-source/rm-data-source-options';
import {
  T0,
  TEST_DATABASES,
  at,
  newAttempt,
  newLog,
  newMessage,
  within,
  type TestDatabase,
} from './support/test-databases';

type Kind = 'postgres' | 'sqlite';
/** Column definitions by table, in order; a test replaces, removes (null) or adds some. */
type TableColumns = Record<string, Record<string, string | null>>;

const M = 'GTOTVSLINKMESSAGE';
const E = 'GTOTVSLINKMESSAGEEXEC';
const L = 'GTOTVSLINKLOG';

/**
 * The tables as an RM DBA might have made them, in raw SQL: wider types than the migrations use (bigint counters,
 * longer or unbounded text, a serial instead of an identity), RM's audit columns (nullable or defaulted), keys and
 * indexes under other names, the unique key's columns in another order, nullable columns the client always fills.
 */
const RM_COLUMNS: Record<Kind, TableColumns> = {
  postgres: {
    [M]: {
      ID: 'varchar(256) NOT NULL CONSTRAINT "RM_PK_MESSAGE" PRIMARY KEY',
      DIRECAO: 'integer NOT NULL',
      COMANDO: 'text NOT NULL',
      AUDIENCE: 'varchar(100) NULL',
      TENANTID: 'varchar(255) NULL',
      CORRELATEDID: 'text NULL',
      DADOS: 'text NOT NULL',
      STATUS: 'smallint NULL',
      TENTATIVAS: 'bigint NOT NULL',
      TENTATIVASBASE: 'bigint NOT NULL DEFAULT 0',
      DATATENTATIVAEXEC: 'timestamptz(3) NULL',
      DATACRIACAO: 'timestamptz NOT NULL',
      DATAATUALIZACAO: 'timestamptz NOT NULL',
      ULTIMOERRO: 'text NULL',
    },
    [E]: {
      ID: 'bigserial NOT NULL CONSTRAINT "RM_PK_EXEC" PRIMARY KEY',
      IDMENSAGEM: 'varchar(256) NOT NULL',
      DIRECAO: 'smallint NOT NULL',
      COMANDO: 'varchar(200) NOT NULL',
      TENTATIVA: 'bigint NOT NULL',
      STATUS: 'integer NOT NULL',
      DATAINICIO: 'timestamptz NOT NULL',
      DATAFIM: 'timestamptz NOT NULL',
      ERRO: 'text NULL',
      DADOS: 'text NULL',
    },
    [L]: {
      ID: 'bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT "RM_PK_LOG" PRIMARY KEY',
      IDMENSAGEM: 'varchar(128) NULL',
      LOGTYPE: 'smallint NOT NULL',
      LOGMENSAGEM: 'text NOT NULL',
      LOGDATE: 'timestamptz NOT NULL',
      DATADEBUG: 'text NULL',
    },
  },
  sqlite: {
    [M]: {
      ID: 'NVARCHAR(256) NOT NULL PRIMARY KEY',
      DIRECAO: 'INT NOT NULL',
      COMANDO: 'TEXT NOT NULL',
      AUDIENCE: 'VARCHAR(100)',
      TENANTID: 'NVARCHAR(255)',
      CORRELATEDID: 'TEXT',
      DADOS: 'CLOB NOT NULL',
      STATUS: 'SMALLINT',
      TENTATIVAS: 'BIGINT NOT NULL',
      TENTATIVASBASE: 'BIGINT NOT NULL DEFAULT 0',
      DATATENTATIVAEXEC: 'DATETIME',
      DATACRIACAO: 'TIMESTAMP NOT NULL',
      DATAATUALIZACAO: 'DATETIME NOT NULL',
      ULTIMOERRO: 'TEXT',
    },
    [E]: {
      ID: 'INTEGER PRIMARY KEY',
      IDMENSAGEM: 'NVARCHAR(256) NOT NULL',
      DIRECAO: 'SMALLINT NOT NULL',
      COMANDO: 'NVARCHAR(200) NOT NULL',
      TENTATIVA: 'BIGINT NOT NULL',
      STATUS: 'INT NOT NULL',
      DATAINICIO: 'DATETIME NOT NULL',
      DATAFIM: 'DATETIME NOT NULL',
      ERRO: 'TEXT',
      DADOS: 'TEXT',
    },
    [L]: {
      ID: 'INTEGER PRIMARY KEY AUTOINCREMENT',
      IDMENSAGEM: 'VARCHAR(128)',
      LOGTYPE: 'SMALLINT NOT NULL',
      LOGMENSAGEM: 'TEXT NOT NULL',
      LOGDATE: 'DATETIME NOT NULL',
      DATADEBUG: 'TEXT',
    },
  },
};

/** RM's audit columns, on every table: nullable, or NOT NULL with a default. */
const AUDIT_COLUMNS: Record<Kind, Record<string, string>> = {
  postgres: {
    RECCREATEDBY: 'varchar(50) NULL',
    RECCREATEDON: 'timestamp NOT NULL DEFAULT now()',
    RECMODIFIEDBY: 'varchar(50) NULL',
    RECMODIFIEDON: 'timestamp NULL',
  },
  sqlite: {
    RECCREATEDBY: 'VARCHAR(50)',
    RECCREATEDON: 'DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP',
    RECMODIFIEDBY: 'VARCHAR(50)',
    RECMODIFIEDON: 'DATETIME',
  },
};

const RM_INDEXES = [
  `CREATE INDEX "RM_MESSAGE_DUE" ON "${M}" ("STATUS", "DATATENTATIVAEXEC", "ID")`,
  `CREATE INDEX "RM_MESSAGE_DISPATCHED" ON "${M}" ("STATUS", "DATAATUALIZACAO")`,
  `CREATE UNIQUE INDEX "RM_EXEC_ATTEMPT" ON "${E}" ("TENTATIVA", "IDMENSAGEM")`,
  `CREATE INDEX "RM_EXEC_FINISHED" ON "${E}" ("DATAFIM")`,
  `CREATE INDEX "RM_LOG_DATE" ON "${L}" ("LOGDATE")`,
  `CREATE INDEX "RM_LOG_MESSAGE" ON "${L}" ("IDMENSAGEM")`,
];

/** The CREATE statements of the RM-made tables, with `changes` applied per table. */
function rmTablesDdl(kind: Kind, changes: TableColumns = {}, indexes = RM_INDEXES): string[] {
  const tables = Object.entries(RM_COLUMNS[kind]).map(([table, columns]) => {
    const definitions = Object.entries({ ...columns, ...AUDIT_COLUMNS[kind], ...changes[table] })
      .filter((entry): entry is [string, string] => entry[1] !== null)
      .map(([name, definition]) => `  "${name}" ${definition}`);
    return `CREATE TABLE "${table}" (\n${definitions.join(',\n')}\n)`;
  });
  return [...tables, ...indexes];
}

/** Tables, columns and indexes as the catalogue lists them: what a verify must leave as it found it. */
async function catalogueSnapshot(dataSource: DataSource, kind: Kind): Promise<unknown[]> {
  if (kind === 'postgres') {
    return dataSource.query(
      `SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
       FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0
       WHERE n.nspname = current_schema() ORDER BY 1, 3`,
    );
  }
  return dataSource.query('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name');
}

describe.each(TEST_DATABASES)('DB_SCHEMA=verify on $name', ({ name, create }) => {
  const kind = name;
  let database: TestDatabase;
  let admin: DataSource;
  let verifySettings: DatabaseSettings;

  /** Drops whatever a test made, then makes the tables from `statements` the way a DBA would. */
  async function makeTables(statements: readonly string[]): Promise<void> {
    for (const table of [L, E, M, 'GTOTVSLINKMIGRATIONS'])
      await admin.query(`DROP TABLE IF EXISTS "${table}"`);
    for (const statement of statements) await admin.query(statement);
  }

  /** Opens in verify mode, collecting the warnings. */
  async function verify(): Promise<{ dataSource: DataSource; warnings: string[] }> {
    const warnings: string[] = [];
    const dataSource = await openRmDataSource(verifySettings, { warn: (message) => warnings.push(message) });
    return { dataSource, warnings };
  }

  /** The mismatch a verify fails with. */
  async function mismatch(): Promise<RmSchemaMismatchError> {
    const error = await verify().then(
      async ({ dataSource }) => {
        await dataSource.destroy();
        return undefined;
      },
      (e: unknown) => e,
    );
    if (!(error instanceof RmSchemaMismatchError))
      throw new Error(`expected a mismatch, got ${String(error)}`);
    return error;
  }

  beforeAll(async () => {
    database = await create();
    verifySettings = { ...database.settings, schemaMode: 'verify' };
    if (database.settings.type === 'sqlite')
      await mkdir(dirname(database.settings.path), { recursive: true });
    admin = await new DataSource(rmDataSourceOptions(database.settings)).initialize();
  });

  afterAll(async () => {
    if (admin?.isInitialized) await admin.destroy();
    await database?.dispose();
  });

  describe("on tables RM's DBA made, with audit columns and wider types", () => {
    beforeAll(() => makeTables(rmTablesDdl(kind)));

    it('starts without a mismatch or a warning', async () => {
      const { dataSource, warnings } = await verify();
      await dataSource.destroy();
      expect(warnings).toEqual([]);
    });

    it('stores, claims, fails, settles, deletes, absorbs duplicates and purges on them', async () => {
      const tables = await openRmTables(verifySettings, { warn: () => undefined });
      try {
        expect(
          await tables.messages.insertIgnoringDuplicates([newMessage('rm-1'), newMessage('rm-2')]),
        ).toEqual(['rm-1', 'rm-2']);
        expect(await tables.messages.insertIgnoringDuplicates([newMessage('rm-1')])).toEqual([]);

        const claimed = await tables.messages.claimDue({ now: T0, limit: 10 });
        expect(claimed.map((m) => [m.id, m.status, m.attempts, m.attemptsBase])).toEqual([
          ['rm-1', MessageStatus.Dispatched, 0, 0],
          ['rm-2', MessageStatus.Dispatched, 0, 0],
        ]);

        const failure = { attempt: 1, status: AttemptStatus.Failure, error: 'boom' };
        const written = await tables.attempts.insertIgnoringDuplicates([
          newAttempt('rm-1', failure),
          newAttempt('rm-2'),
        ]);
        expect(written.map((w) => [w.messageId, w.attempt, typeof w.id])).toEqual([
          ['rm-1', 1, 'string'],
          ['rm-2', 1, 'string'],
        ]);
        expect(await tables.attempts.insertIgnoringDuplicates([newAttempt('rm-1', failure)])).toEqual([]);

        expect(
          await tables.messages.recordFailedAttempt({
            id: 'rm-1',
            attempt: 1,
            status: MessageStatus.WaitingRetry,
            nextAttemptAt: null,
            lastError: 'boom',
            now: at(1_000),
          }),
        ).toBe(true);
        const settled = await tables.messages.settleFailedAttempts([
          {
            id: 'rm-1',
            attempt: 1,
            status: MessageStatus.WaitingRetry,
            nextAttemptAt: at(5_000),
            now: at(2_000),
          },
        ]);
        expect(settled.map((m) => [m.id, m.attempts, m.nextAttemptAt?.toISOString()])).toEqual([
          ['rm-1', 1, at(5_000).toISOString()],
        ]);
        expect((await tables.messages.claimDue({ now: at(5_000), limit: 10 })).map((m) => m.id)).toEqual([
          'rm-1',
        ]);

        expect(await tables.messages.deleteSucceeded(['rm-2'])).toBe(1);
        expect(
          await tables.logs.insert([newLog('about rm-2', { messageId: 'rm-2' }), newLog('general')]),
        ).toBe(2);
        expect(await tables.attempts.purgeFinishedBefore({ before: at(1), limit: 100 })).toBe(1);
        expect(await tables.logs.purgeBefore({ before: at(1), limit: 100 })).toBe(2);
        expect((await tables.attempts.findByMessageId('rm-1')).map((a) => a.attempt)).toEqual([1]);
      } finally {
        await tables.close();
      }
    });

    it('creates nothing and changes nothing: the catalogue is as it was, with no migrations table', async () => {
      const before = await catalogueSnapshot(admin, kind);
      const { dataSource } = await verify();
      await dataSource.destroy();
      await makeTables([]);
      const emptyBefore = await catalogueSnapshot(admin, kind);
      await mismatch();
      expect(await catalogueSnapshot(admin, kind)).toEqual(emptyBefore);
      await makeTables(rmTablesDdl(kind));
      expect(await catalogueSnapshot(admin, kind)).toEqual(before);
      expect(JSON.stringify(before)).not.toContain('GTOTVSLINKMIGRATIONS');
    });
  });

  describe('fails at start, naming the table, the column and the fix', () => {
    it('for a missing column', async () => {
      await makeTables(rmTablesDdl(kind, { [M]: { CORRELATEDID: null } }));
      const error = await mismatch();
      expect(error).toMatchObject({ code: 'RM_SCHEMA_MISMATCH', retriable: false });
      expect(error.findings).toHaveLength(1);
      expect(error.message).toContain('1. GTOTVSLINKMESSAGE.CORRELATEDID: missing');
      expect(error.message).toContain(
        `ALTER TABLE "GTOTVSLINKMESSAGE" ADD COLUMN "CORRELATEDID" varchar(512) NULL;`,
      );
    });

    it('for a type that cannot hold what the client writes', async () => {
      const expected = {
        postgres: {
          column: 'varchar(50) NOT NULL',
          problem:
            '1. GTOTVSLINKMESSAGEEXEC.COMANDO: character varying(50) where the client needs varchar(100) or wider: ' +
            'too narrow for what the client writes',
          fix: '     fix:\n       ALTER TABLE "GTOTVSLINKMESSAGEEXEC" ALTER COLUMN "COMANDO" TYPE varchar(100);',
        },
        sqlite: {
          column: 'INTEGER NOT NULL',
          problem:
            '1. GTOTVSLINKMESSAGEEXEC.COMANDO: INTEGER where the client needs varchar(100) or wider: INTEGER ' +
            'affinity: SQLite would not keep what the client writes as written',
          fix:
            '     fix (SQLite cannot alter a column: recreate GTOTVSLINKMESSAGEEXEC, moving its rows across):\n' +
            '       CREATE TABLE "GTOTVSLINKMESSAGEEXEC" (',
        },
      }[kind];
      await makeTables(rmTablesDdl(kind, { [E]: { COMANDO: expected.column } }));
      const error = await mismatch();
      expect(error.findings).toHaveLength(1);
      expect(error.message).toContain(expected.problem);
      expect(error.message).toContain(expected.fix);
    });

    it('for an extra NOT NULL column without a default', async () => {
      const strict = kind === 'postgres' ? 'varchar(50) NOT NULL' : 'VARCHAR(50) NOT NULL';
      await makeTables(rmTablesDdl(kind, { [L]: { RECCREATEDBY: strict } }));
      const error = await mismatch();
      expect(error.findings).toHaveLength(1);
      expect(error.message).toContain(
        "1. GTOTVSLINKLOG.RECCREATEDBY: NOT NULL without a default, and the client's INSERTs do not set it: every " +
          'insert would fail (allow NULL, or give it a DEFAULT)',
      );
      expect(error.message).toContain(
        kind === 'postgres'
          ? 'ALTER TABLE "GTOTVSLINKLOG" ALTER COLUMN "RECCREATEDBY" DROP NOT NULL;'
          : 'CREATE TABLE "GTOTVSLINKLOG" (',
      );
    });

    it('for every mismatch at once, and starts once a DBA ran the fixes', async () => {
      const changes: TableColumns =
        kind === 'postgres'
          ? {
              [M]: { CORRELATEDID: null, TENTATIVASBASE: 'integer NULL' },
              [E]: { COMANDO: 'varchar(50) NOT NULL' },
              [L]: { RECCREATEDBY: 'varchar(50) NOT NULL', ID: 'bigint NOT NULL PRIMARY KEY' },
            }
          : { [M]: { CORRELATEDID: null }, [E]: { ERRO: null } };
      await makeTables(rmTablesDdl(kind, changes, RM_INDEXES.slice(1)));
      const error = await mismatch();
      expect(error.findings.map((f) => `${f.table}.${f.column ?? ''}`)).toEqual(
        kind === 'postgres'
          ? [
              'GTOTVSLINKMESSAGE.CORRELATEDID',
              'GTOTVSLINKMESSAGE.TENTATIVASBASE',
              'GTOTVSLINKMESSAGEEXEC.COMANDO',
              'GTOTVSLINKLOG.ID',
              'GTOTVSLINKLOG.RECCREATEDBY',
            ]
          : ['GTOTVSLINKMESSAGE.CORRELATEDID', 'GTOTVSLINKMESSAGEEXEC.ERRO'],
      );
      for (const finding of error.findings) {
        for (const statement of finding.fix.statements) await admin.query(statement);
      }
      const { dataSource, warnings } = await verify();
      await dataSource.destroy();
      // The index left out above is only a warning, with its CREATE INDEX.
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        'CREATE INDEX "IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC" ON "GTOTVSLINKMESSAGE" ("STATUS", "DATATENTATIVAEXEC");',
      );
    });

    it('without retrying, when the Nest module opens the tables', async () => {
      await makeTables(rmTablesDdl(kind, { [M]: { DADOS: null } }));
      const settings = { ...verifySettings, connectRetryAttempts: 10, connectRetryDelayMs: 3_000 };
      const booting = Test.createTestingModule({ imports: [RmTablesModule.forRoot(settings)] })
        .setLogger({ log: () => undefined, error: () => undefined, warn: () => undefined })
        .compile();
      await expect(within(2_000, booting, 'the failed start')).rejects.toMatchObject({
        code: 'RM_SCHEMA_MISMATCH',
        message: expect.stringContaining('GTOTVSLINKMESSAGE.DADOS: missing'),
      });
    });
  });

  if (kind === 'sqlite') {
    it('refuses a SQLite file that does not exist, and creates none', async () => {
      const path = scratchSqlitePath();
      try {
        await expect(openRmDataSource({ ...verifySettings, path } as DatabaseSettings)).rejects.toMatchObject(
          {
            code: 'RM_SCHEMA_MISMATCH',
            message: expect.stringContaining('DB_SCHEMA=verify checks tables that exist and creates nothing'),
          },
        );
        expect(existsSync(dirname(path))).toBe(false);
      } finally {
        await rm(dirname(path), { recursive: true, force: true });
      }
    });
  }

  if (kind === 'postgres') {
    it('finds the tables in DB_TABLE_SCHEMA, and only there', async () => {
      await makeTables([]);
      const inSchema = { ...database.settings, schema: 'rm_verify' } as DatabaseSettings;
      const created = await openRmDataSource(inSchema);
      await created.destroy();
      const verified = await openRmDataSource(
        { ...inSchema, schemaMode: 'verify' },
        { warn: () => undefined },
      );
      await verified.destroy();
      const error = await mismatch();
      expect(error.findings.map((f) => `${f.table}: ${f.problem}`)).toEqual([
        'GTOTVSLINKMESSAGE: missing',
        'GTOTVSLINKMESSAGEEXEC: missing',
        'GTOTVSLINKLOG: missing',
      ]);
    });
  }

  it('passes on the tables the migrations make', async () => {
    await makeTables([]);
    const created = await openRmDataSource(database.settings);
    await created.destroy();
    const { dataSource, warnings } = await verify();
    try {
      expect(warnings).toEqual([]);
      const store = new MessageStore(dataSource);
      expect(await store.insertIgnoringDuplicates([newMessage('made')])).toEqual(['made']);
      expect(new MessageExecStore(dataSource)).toBeDefined();
      expect(new LogStore(dataSource)).toBeDefined();
    } finally {
      await dataSource.destroy();
    }
  });
});
