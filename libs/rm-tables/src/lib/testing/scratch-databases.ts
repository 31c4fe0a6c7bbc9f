import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseDatabaseSettings, type DatabaseSettings } from '../settings/database-settings';
import { createScratchPostgresDatabase, DEFAULT_ADMIN_POSTGRES_URL } from './scratch-postgres-database';
import { scratchSqlitePath } from './scratch-sqlite-path';

/** A database a test runs against, created for one test file and removed afterwards. */
export interface ScratchDatabase {
  readonly settings: DatabaseSettings;
  dispose(): Promise<void>;
}

/** One kind of database the integration tests run on, and how to make a throw-away one. */
export interface ScratchDatabaseKind {
  readonly name: 'postgres' | 'sqlite';
  create(): Promise<ScratchDatabase>;
}

/**
 * The databases every integration test runs on: a scratch PostgreSQL database (through `TEST_POSTGRES_URL`, else the
 * local server) and a temporary SQLite file, neither retrying at start-up. `sqliteEnv` adds settings to the SQLite
 * one, e.g. a short busy timeout.
 */
export function scratchDatabases(sqliteEnv: Record<string, string> = {}): readonly ScratchDatabaseKind[] {
  return [
    {
      name: 'postgres',
      create: async () => {
        const scratch = await createScratchPostgresDatabase(
          process.env['TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_POSTGRES_URL,
        );
        return { settings: scratch.settings, dispose: () => scratch.drop() };
      },
    },
    {
      name: 'sqlite',
      create: async () => {
        const path = scratchSqlitePath();
        return {
          settings: parseDatabaseSettings({
            DB_SQLITE_PATH: path,
            DB_CONNECT_RETRY_ATTEMPTS: '0',
            ...sqliteEnv,
          }),
          dispose: () => rm(dirname(path), { recursive: true, force: true }),
        };
      },
    },
  ];
}
