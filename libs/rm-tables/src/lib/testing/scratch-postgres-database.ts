import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { parseDatabaseSettings, type PostgresDatabaseSettings } from '../settings/database-settings';

/** The local PostgreSQL of our machines (trust auth); tests read `TEST_POSTGRES_URL` to override it. */
export const DEFAULT_ADMIN_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throw-away database for one test file or benchmark run. */
export interface ScratchPostgresDatabase {
  /** `smartlink_test_<random>`. */
  readonly name: string;
  /** Settings pointing at it: migrations on, no start-up retries. */
  readonly settings: PostgresDatabaseSettings;
  /** Ends every connection to it and drops it; safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database through `adminUrl` (a login allowed to CREATE DATABASE), so runs never see each
 * other's rows. Call `drop()` when done, also when the test fails.
 */
export async function createScratchPostgresDatabase(
  adminUrl: string = DEFAULT_ADMIN_POSTGRES_URL,
): Promise<ScratchPostgresDatabase> {
  const name = `smartlink_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const settings = parseDatabaseSettings({
    DB_TYPE: 'postgres',
    DB_URL: url.toString(),
    DB_CONNECT_RETRY_ATTEMPTS: '0',
  }) as PostgresDatabaseSettings;
  let dropped = false;
  return {
    name,
    settings,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withClient(adminUrl, async (client) => {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
      });
    },
  };
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
