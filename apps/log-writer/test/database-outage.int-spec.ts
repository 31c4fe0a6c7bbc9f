import {
  DEFAULT_ADMIN_POSTGRES_URL,
  createScratchPostgresDatabase,
  holdSqliteWriteLock,
  type DatabaseSettings,
  type PostgresDatabaseSettings,
  type ScratchPostgresDatabase,
  type SqliteWriteLock,
} from '@smartlink/rm-tables';
import { TcpProxy, uniqueName, waitFor } from '@smartlink/testing';
import { LogWriterHarness, TEST_DATABASES, testLog } from './support/log-writer-harness';

const BEFORE = 200;
const DURING = 300;

/** How the test takes the database away and gives it back. */
interface Outage {
  /** The settings the log-writer gets (past the proxy, for PostgreSQL). */
  readonly appDatabase: DatabaseSettings;
  /** The settings the test reads with (direct). */
  readonly testDatabase: DatabaseSettings;
  begin(): Promise<void>;
  end(): Promise<void>;
  dispose(): Promise<void>;
}

/** PostgreSQL behind a TCP proxy that the test cuts: the port closes and every connection drops. */
async function postgresOutage(): Promise<Outage> {
  const scratch: ScratchPostgresDatabase = await createScratchPostgresDatabase(
    process.env['TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_POSTGRES_URL,
  );
  const direct: PostgresDatabaseSettings = scratch.settings;
  const proxy = await TcpProxy.start(direct.host, direct.port);
  return {
    appDatabase: { ...direct, host: '127.0.0.1', port: proxy.port },
    testDatabase: direct,
    begin: () => proxy.cut(),
    end: () => proxy.restore(),
    dispose: async () => {
      await proxy.close();
      await scratch.drop();
    },
  };
}

/** SQLite whose write lock another connection holds: every insert fails with SQLITE_BUSY, reads still work. */
async function sqliteOutage(): Promise<Outage> {
  const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite');
  if (!sqlite) throw new Error('no SQLite test database');
  const database = await sqlite.create();
  const path = database.settings.type === 'sqlite' ? database.settings.path : '';
  let lock: SqliteWriteLock | null = null;
  return {
    appDatabase: database.settings,
    testDatabase: database.settings,
    begin: async () => {
      lock = holdSqliteWriteLock(path);
    },
    end: async () => {
      lock?.release();
      lock = null;
    },
    dispose: async () => {
      lock?.release();
      await database.dispose();
    },
  };
}

describe.each([
  { name: 'postgres (connections cut)', outage: postgresOutage },
  { name: 'sqlite (write lock held elsewhere)', outage: sqliteOutage },
])('the log-writer while $name is down', ({ outage: createOutage }) => {
  let outage: Outage;
  const writers: LogWriterHarness[] = [];
  const startWriter = async (env: Record<string, string> = {}) => {
    const writer = await LogWriterHarness.start(outage.appDatabase, { tables: outage.testDatabase, env });
    writers.push(writer);
    return writer;
  };

  beforeAll(async () => {
    outage = await createOutage();
  });

  afterEach(async () => {
    await outage.end();
    await Promise.all(writers.splice(0).map((writer) => writer.stop()));
  });

  afterAll(async () => {
    await outage?.dispose();
  });

  it('pauses, loses nothing, reports not ready, and writes everything once the database is back', async () => {
    const writer = await startWriter();
    const prefix = uniqueName('outage');
    const early = Array.from({ length: BEFORE }, (_, i) => `${prefix}-a${i}`);
    const late = Array.from({ length: DURING }, (_, i) => `${prefix}-b${i}`);
    await writer.send(early.map((id) => testLog(id)));
    await writer.waitForLogs(early, BEFORE);
    await waitFor(() => writer.counters.written >= BEFORE, { description: 'the first rows to be counted' });

    await outage.begin();
    await writer.send(late.map((id) => testLog(id)));

    // The writer holds what it took, pauses, and says so on the readiness probe.
    await waitFor(() => writer.counters.outages === 1, {
      description: 'the writer to notice the outage',
      timeoutMs: 30_000,
    });
    const down = await waitFor(
      async () => {
        const answer = await writer.readiness();
        return answer.status === 503 ? answer : undefined;
      },
      { description: 'readiness to report the database down', timeoutMs: 30_000 },
    );
    expect(down.body).toMatchObject({ error: { 'database-writes': { status: 'down', consuming: false } } });
    expect(await writer.tables.logs.findByMessageIds(late)).toEqual([]);
    expect((await writer.get('/health/live')).status).toBe(200);

    await outage.end();

    const rows = await writer.waitForLogs([...early, ...late], BEFORE + DURING, 60_000);
    await waitFor(async () => (await writer.readiness()).status === 200, {
      description: 'readiness to recover',
      timeoutMs: 30_000,
    });
    // Every record once: the failed inserts wrote nothing, so retrying them duplicated nothing.
    expect(rows).toHaveLength(BEFORE + DURING);
    expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set([...early, ...late]));
    // Waiting, not spinning: the chunks in hand failed a few times at most, not once per millisecond.
    expect(writer.counters.failedInserts).toBeGreaterThanOrEqual(1);
    expect(writer.counters.failedInserts).toBeLessThan(50);
    expect(writer.counters.outages).toBe(1);

    // And it goes on writing.
    const after = uniqueName('after');
    await writer.send([testLog(after)]);
    await writer.waitForLogs([after], 1);
  });

  it('hands the chunks it holds back when it stops during the outage; the next writer stores them', async () => {
    const first = await startWriter();
    const ids = Array.from({ length: 50 }, (_, i) => `${uniqueName('handback')}-${i}`);
    await outage.begin();
    await first.send(ids.map((id) => testLog(id)));
    await waitFor(() => first.counters.outages === 1, {
      description: 'the writer to hold the records',
      timeoutMs: 30_000,
    });

    const stopping = Date.now();
    await first.stop();
    // Well inside Kubernetes' 20 s grace, although the database never answered.
    expect(Date.now() - stopping).toBeLessThan(15_000);

    await outage.end();
    const second = await startWriter({ SMARTLINK_TOPIC_NAMESPACE: first.topics.namespace });
    const rows = await second.waitForLogs(ids, ids.length, 60_000);
    expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set(ids));
  });
});
