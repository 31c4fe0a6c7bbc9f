import { DataSource } from 'typeorm';
import { DEFAULT_ADMIN_POSTGRES_URL, MessageStore, createScratchPostgresDatabase } from '../src';
import { openRmDataSource } from '../src/lib/data-source/open-rm-data-source';
import { rmDataSourceOptions } from '../src/lib/data-source/rm-data-source-options';
import { runRmMigrations } from '../src/lib/data-source/run-rm-migrations';
import { T0, TEST_DATABASES, listObjects, newMessage, type TestDatabase } from './support/test-databases';

const MIGRATIONS = ['CreateRmTables1764288000000', 'AddRedriveBase1765497600000'];
const TABLES = ['GTOTVSLINKLOG', 'GTOTVSLINKMESSAGE', 'GTOTVSLINKMESSAGEEXEC', 'GTOTVSLINKMIGRATIONS'];
const INDEXES = [
  'IX_GTOTVSLINKLOG_IDMENSAGEM',
  'IX_GTOTVSLINKLOG_LOGDATE',
  'IX_GTOTVSLINKMESSAGEEXEC_DATAFIM',
  'IX_GTOTVSLINKMESSAGE_STATUS_DATAATUALIZACAO',
  'IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC',
  'UQ_GTOTVSLINKMESSAGEEXEC_IDMENSAGEM_TENTATIVA',
];

describe.each(TEST_DATABASES)('RM migrations on $name', ({ name, create }) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await create();
    dataSource = await openRmDataSource(database.settings);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.dispose();
  });

  it('creates the three tables, their named indexes and the RM-named migrations table at boot', async () => {
    const { tables, indexes } = await listObjects(dataSource);
    expect(tables.filter((t) => t.startsWith('GTOTVSLINK'))).toEqual(TABLES);
    expect(indexes.filter((i) => !i.startsWith('PK_'))).toEqual(INDEXES);
    const executed: { name: string }[] = await dataSource.query(
      'SELECT name FROM "GTOTVSLINKMIGRATIONS" ORDER BY timestamp',
    );
    expect(executed).toEqual(MIGRATIONS.map((name) => ({ name })));
  });

  it('runs nothing again on the next boot', async () => {
    const again = await openRmDataSource(database.settings);
    try {
      expect(await runRmMigrations(again)).toEqual([]);
      const executed: unknown[] = await again.query('SELECT name FROM "GTOTVSLINKMIGRATIONS"');
      expect(executed).toHaveLength(MIGRATIONS.length);
    } finally {
      await again.destroy();
    }
  });

  it('drops everything on down, and up restores it', async () => {
    for (const _ of MIGRATIONS) await dataSource.undoLastMigration();
    expect((await listObjects(dataSource)).tables).toEqual(['GTOTVSLINKMIGRATIONS']);

    expect(await runRmMigrations(dataSource)).toEqual(MIGRATIONS);
    const { tables, indexes } = await listObjects(dataSource);
    expect(tables).toEqual(TABLES);
    expect(indexes.filter((i) => !i.startsWith('PK_'))).toEqual(INDEXES);
    expect(await new MessageStore(dataSource).insertIgnoringDuplicates([newMessage('after-redo')])).toEqual([
      'after-redo',
    ]);
  });

  it('adds TENTATIVASBASE to a deployed table, 0 for the rows it holds, and removes it on down', async () => {
    await dataSource.undoLastMigration();
    await dataSource.query(
      'INSERT INTO "GTOTVSLINKMESSAGE" ("ID", "DIRECAO", "COMANDO", "DADOS", "STATUS", "TENTATIVAS", "DATACRIACAO", "DATAATUALIZACAO") ' +
        `VALUES ('deployed', 1, 'Cmd', '{}', 3, 4, ${name === 'postgres' ? 'now(), now()' : "'2025-06-01 12:00:00.000', '2025-06-01 12:00:00.000'"})`,
    );
    expect(await runRmMigrations(dataSource)).toEqual([MIGRATIONS[1]]);
    const [row] = await new MessageStore(dataSource).findByIds(['deployed']);
    expect(row).toMatchObject({ attempts: 4, attemptsBase: 0 });
    await dataSource.query('DELETE FROM "GTOTVSLINKMESSAGE"');
  });

  it('runs no migration with DB_SCHEMA=verify, and refuses the missing tables', async () => {
    for (const _ of MIGRATIONS) await dataSource.undoLastMigration();
    try {
      await expect(openRmDataSource({ ...database.settings, schemaMode: 'verify' })).rejects.toMatchObject({
        code: 'RM_SCHEMA_MISMATCH',
        retriable: false,
      });
      expect((await listObjects(dataSource)).tables).toEqual(['GTOTVSLINKMIGRATIONS']);
    } finally {
      await runRmMigrations(dataSource);
    }
  });

  if (name === 'sqlite') {
    it('opens the shared file in WAL mode with the busy timeout', async () => {
      expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await dataSource.query('PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
    });
  }

  if (name === 'postgres') {
    it('stores dates as timestamptz and text as text', async () => {
      const columns: { column_name: string; data_type: string }[] = await dataSource.query(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'GTOTVSLINKMESSAGE' ORDER BY ordinal_position`,
      );
      expect(Object.fromEntries(columns.map((c) => [c.column_name, c.data_type]))).toMatchObject({
        ID: 'character varying',
        DADOS: 'text',
        STATUS: 'smallint',
        TENTATIVAS: 'integer',
        DATATENTATIVAEXEC: 'timestamp with time zone',
        DATACRIACAO: 'timestamp with time zone',
        DATAATUALIZACAO: 'timestamp with time zone',
        TENTATIVASBASE: 'integer',
      });
    });

    it('lets replicas booting together migrate once, one after the other', async () => {
      const fresh = await create();
      try {
        // Connected only: the three then race to migrate.
        const opened = await Promise.all(
          [1, 2, 3].map(() => new DataSource(rmDataSourceOptions(fresh.settings)).initialize()),
        );
        try {
          const runs = await Promise.all(opened.map((ds) => runRmMigrations(ds)));
          expect(runs.flat()).toEqual(MIGRATIONS);
        } finally {
          await Promise.all(opened.map((ds) => ds.destroy()));
        }
      } finally {
        await fresh.dispose();
      }
    });

    it('drops a scratch database even while connections to it are open', async () => {
      const scratch = await createScratchPostgresDatabase(
        process.env['TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_POSTGRES_URL,
      );
      const open = await openRmDataSource(scratch.settings);
      try {
        await scratch.drop();
        const left: unknown[] = await dataSource.query('SELECT 1 FROM pg_database WHERE datname = $1', [
          scratch.name,
        ]);
        expect(left).toEqual([]);
      } finally {
        await open.destroy().catch(() => undefined);
      }
    });

    it('creates and uses the schema named by DB_TABLE_SCHEMA', async () => {
      if (database.settings.type !== 'postgres') throw new Error('expected PostgreSQL settings');
      const inSchema = await openRmDataSource({ ...database.settings, schema: 'smartlink_rm' });
      try {
        const { tables } = await listObjects(inSchema, 'smartlink_rm');
        expect(tables).toEqual(TABLES);
        const store = new MessageStore(inSchema);
        await store.insertIgnoringDuplicates([newMessage('in-schema')]);
        expect((await store.claimDue({ now: T0, limit: 10 })).map((m) => m.id)).toEqual(['in-schema']);
      } finally {
        await inSchema.destroy();
      }
    });
  }
});
