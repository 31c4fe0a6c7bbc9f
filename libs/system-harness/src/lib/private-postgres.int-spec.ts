import { LogType, openRmTables, parseDatabaseSettings, type RmTables } from '@smartlink/rm-tables';
import { waitFor } from '@smartlink/testing';
import { PrivatePostgres } from './private-postgres';

describe('PrivatePostgres', () => {
  let server: PrivatePostgres;
  let tables: RmTables | null = null;

  beforeAll(async () => {
    server = await PrivatePostgres.create();
    await server.start();
  }, 120_000);

  afterAll(async () => {
    await tables?.close().catch(() => undefined);
    await server?.cleanup();
  }, 60_000);

  describe('when it is SIGKILLed while rows are being written', () => {
    it('comes back through crash recovery with every committed row', async () => {
      expect(server.history[0]?.recoveryLines).toEqual([]);
      const url = await server.createDatabase('harness');
      tables = await openRmTables(
        parseDatabaseSettings({ DB_TYPE: 'postgres', DB_URL: url, DB_SCHEMA: 'create' }),
      );
      const writer = tables;
      const committed: string[] = [];
      let writing = true;
      const writes = (async () => {
        for (let n = 0; writing; n += 1) {
          const message = `row ${n}`;
          try {
            await writer.logs.insert([{ type: LogType.Info, message, date: new Date() }]);
            committed.push(message);
          } catch {
            writing = false;
          }
        }
      })();
      await waitFor(() => committed.length >= 200 || !writing, {
        description: '200 committed rows',
        timeoutMs: 60_000,
      });
      expect(writing).toBe(true);
      const postmaster = server.pid;

      const processes = await server.kill();
      await writes;

      // The postmaster and its backends (checkpointer, WAL writer, the client's connections...) all went at once.
      expect(processes).toBeGreaterThan(3);
      expect(server.pid).toBeNull();
      const life = await server.start();
      expect(life.pid).not.toBe(postmaster);
      expect(life.recoveryLines.join('\n')).toMatch(/not properly shut down; automatic recovery in progress/);
      expect(life.recoveryLines.join('\n')).toMatch(/redo starts at/);

      await tables.close();
      tables = await openRmTables(
        parseDatabaseSettings({ DB_TYPE: 'postgres', DB_URL: url, DB_SCHEMA: 'verify' }),
      );
      expect(await tables.logs.count()).toBeGreaterThanOrEqual(committed.length);
    }, 120_000);
  });
});
