import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openRmTables, parseDatabaseSettings, scratchSqlitePath } from '@smartlink/rm-tables';
import { runCliProcess } from './support/cli-process';

// `schema` as a DBA runs it: the built CLI as a process on the services' DB_* settings.
describe('cli schema', () => {
  const path = scratchSqlitePath();
  const env = { DB_SQLITE_PATH: path };

  afterAll(() => rm(dirname(path), { recursive: true, force: true }));

  it('says the tables the migrations made fit, then lists a mismatch with its fix', async () => {
    const tables = await openRmTables(parseDatabaseSettings(env));
    await tables.close();

    const fits = await runCliProcess(['schema'], { env });
    expect(fits).toMatchObject({ code: 0, stderr: '' });
    expect(fits.stdout).toBe(`The RM tables in sqlite ${path} fit the client.\n`);

    // What a DBA's table might lack, made with Node's own SQLite client: the CLI must see it in the catalogue.
    const raw = new DatabaseSync(path);
    try {
      raw.exec('ALTER TABLE "GTOTVSLINKMESSAGE" DROP COLUMN "CORRELATEDID"');
    } finally {
      raw.close();
    }
    const mismatch = await runCliProcess(['schema'], { env });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain('1. GTOTVSLINKMESSAGE.CORRELATEDID: missing');
    expect(mismatch.stdout).toContain('ALTER TABLE "GTOTVSLINKMESSAGE" ADD COLUMN "CORRELATEDID" varchar(512) NULL;');
  });
});
