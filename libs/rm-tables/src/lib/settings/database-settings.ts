import {
  SecretValue,
  booleanSetting,
  numberSetting,
  parseSettings,
  type SettingsSource,
} from '@smartlink/common';
import { z } from 'zod';
import { RM_DATABASE_TYPES } from '../schema/rm-database-type';
import { RM_SCHEMA_MODES, type RmSchemaMode } from '../schema/rm-schema-mode';
import { RM_TABLES_DEFAULTS as D } from '../rm-tables.defaults';

/** Settings every database has. */
export interface BaseDatabaseSettings {
  /**
   * `DB_SCHEMA`: `create` runs the migrations at boot (an empty database); `verify` checks the tables a DBA made and
   * changes nothing (RM's database). Default `verify` on SQL Server, `create` on PostgreSQL and SQLite.
   */
  readonly schemaMode: RmSchemaMode;
  /** Log every SQL statement with its parameters (`DB_LOGGING`); for debugging only, payloads end up in the log. */
  readonly logging: boolean;
  /** Start-up connection retries (`DB_CONNECT_RETRY_ATTEMPTS`, `DB_CONNECT_RETRY_DELAY_MS`). */
  readonly connectRetryAttempts: number;
  readonly connectRetryDelayMs: number;
}

/** An embedded SQLite file, shared by the service processes of one machine. */
export interface SqliteDatabaseSettings extends BaseDatabaseSettings {
  readonly type: 'sqlite';
  /** `DB_SQLITE_PATH`; the parent directory is created at boot. */
  readonly path: string;
  /** `DB_SQLITE_BUSY_TIMEOUT_MS`: how long to wait for another process's write lock. */
  readonly busyTimeoutMs: number;
}

/** Settings of a database server. */
export interface ServerDatabaseSettings extends BaseDatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: SecretValue;
  readonly database: string;
  /** `DB_TABLE_SCHEMA`: the schema that holds the tables; the login's default schema when unset. */
  readonly schema?: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
}

/** PostgreSQL, from `DB_URL` or `DB_HOST`/`DB_PORT`/`DB_USER`/`DB_PASSWORD`/`DB_NAME`. */
export interface PostgresDatabaseSettings extends ServerDatabaseSettings {
  readonly type: 'postgres';
  /** `DB_SSL`: connect with TLS, verifying the server certificate. */
  readonly ssl: boolean;
}

/** SQL Server with SQL authentication. */
export interface MssqlDatabaseSettings extends ServerDatabaseSettings {
  readonly type: 'mssql';
  readonly password: SecretValue;
  /** `DB_ENCRYPT`: TLS to the server (default on). */
  readonly encrypt: boolean;
  /** `DB_TRUST_SERVER_CERTIFICATE`: skip certificate verification (default off; only for self-signed test servers). */
  readonly trustServerCertificate: boolean;
}

/** Validated database settings; build them with {@link parseDatabaseSettings}. */
export type DatabaseSettings = SqliteDatabaseSettings | PostgresDatabaseSettings | MssqlDatabaseSettings;

const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const optionalText = (description: string) =>
  z.preprocess(unsetIfEmpty, z.string().optional()).describe(description);
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SERVER_KEYS = [
  'DB_URL',
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_NAME',
  'DB_TABLE_SCHEMA',
] as const;

/**
 * The `DB_*` settings. Which keys are required depends on `DB_TYPE`; a missing one stops start-up naming the key and
 * how to fix it. Values are never echoed back, so a password in the wrong key does not leak into the error.
 */
export const databaseSettingsSchema = z
  .object({
    DB_TYPE: z
      .preprocess(unsetIfEmpty, z.enum(RM_DATABASE_TYPES).default(D.databaseType))
      .describe('sqlite (default, embedded), postgres or mssql'),
    DB_URL: z
      .preprocess(unsetIfEmpty, z.string().refine(isPostgresUrl, 'not a usable PostgreSQL URL').optional())
      .describe(
        'postgres://user[:password]@host[:port]/database, PostgreSQL only, instead of DB_HOST/DB_PORT/DB_USER/DB_NAME',
      ),
    DB_HOST: optionalText(
      'host name of the database server; required for mssql, and for postgres without DB_URL',
    ),
    DB_PORT: z
      .preprocess(unsetIfEmpty, z.coerce.number().int().min(1).max(65535).optional())
      .describe(`TCP port 1-65535; default ${D.postgresPort} (postgres) or ${D.mssqlPort} (mssql)`),
    DB_USER: optionalText('login name; required for mssql, and for postgres without DB_URL'),
    DB_PASSWORD: optionalText(
      'password of DB_USER; required for mssql; for postgres it overrides the one in DB_URL',
    ),
    DB_NAME: optionalText('database name; required for mssql, and for postgres without DB_URL'),
    DB_SCHEMA: z
      .preprocess(unsetIfEmpty, z.enum(RM_SCHEMA_MODES, { error: 'neither create nor verify' }).optional())
      .describe(
        'create (make or upgrade the tables: an empty database) or verify (check the tables a DBA made, change ' +
          "nothing: RM's database); default verify for mssql, create for postgres and sqlite. The schema that " +
          'holds the tables is DB_TABLE_SCHEMA',
      ),
    DB_TABLE_SCHEMA: z
      .preprocess(unsetIfEmpty, z.string().regex(SCHEMA_NAME, 'not a plain schema name').optional())
      .describe(
        'schema of the tables (letters, digits, _; up to 128), postgres or mssql; default: the login default',
      ),
    DB_SQLITE_PATH: z
      .preprocess(unsetIfEmpty, z.string().default(D.sqlitePath))
      .describe(`path of the SQLite file; default ${D.sqlitePath}`),
    DB_SQLITE_BUSY_TIMEOUT_MS: numberSetting({
      min: 0,
      max: 600_000,
      default: D.sqliteBusyTimeoutMs,
    }).describe('milliseconds to wait for another process holding the SQLite write lock, 0-600000'),
    DB_POOL_SIZE: numberSetting({ min: 1, max: 1000, default: D.poolSize }).describe(
      'connections per process, 1-1000',
    ),
    DB_CONNECT_TIMEOUT_MS: numberSetting({ min: 100, max: 600_000, default: D.connectTimeoutMs }).describe(
      'milliseconds for one connection attempt, 100-600000',
    ),
    DB_CONNECT_RETRY_ATTEMPTS: numberSetting({ min: 0, max: 1000, default: D.connectRetryAttempts }).describe(
      'start-up connection retries, 0-1000',
    ),
    DB_CONNECT_RETRY_DELAY_MS: numberSetting({
      min: 0,
      max: 600_000,
      default: D.connectRetryDelayMs,
    }).describe('milliseconds between start-up connection retries, 0-600000'),
    // Retired: refused rather than ignored, so an installation that set it learns that DB_SCHEMA decides now.
    DB_MIGRATIONS_RUN: z
      .preprocess(unsetIfEmpty, z.undefined({ error: 'no longer read: DB_SCHEMA replaces it' }))
      .describe('unset; write DB_SCHEMA=create where it was true, DB_SCHEMA=verify where it was false'),
    DB_LOGGING: booleanSetting(false).describe('true or false: log every SQL statement (debugging only)'),
    DB_SSL: booleanSetting(false).describe('true or false: TLS to PostgreSQL, certificate verified'),
    DB_ENCRYPT: booleanSetting(true).describe('true or false: TLS to SQL Server'),
    DB_TRUST_SERVER_CERTIFICATE: booleanSetting(false).describe(
      'true or false: accept any SQL Server certificate (test servers only)',
    ),
  })
  .superRefine(
    (s, ctx) => {
      const problem = (key: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [key], message });
      const requireKeys = (keys: readonly (keyof typeof s)[], when: string) => {
        for (const key of keys) if (s[key] === undefined) problem(key, `required when ${when}`);
      };
      switch (s.DB_TYPE) {
        case 'sqlite':
          for (const key of SERVER_KEYS) {
            if (s[key] !== undefined)
              problem(key, `set, but DB_TYPE is sqlite: set DB_TYPE=postgres or mssql, or unset ${key}`);
          }
          break;
        case 'postgres':
          if (s.DB_URL === undefined) {
            requireKeys(['DB_HOST', 'DB_USER', 'DB_NAME'], 'DB_TYPE=postgres and DB_URL is unset');
          } else {
            for (const key of ['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_NAME'] as const) {
              if (s[key] !== undefined)
                problem(key, 'conflicts with DB_URL: set either DB_URL or the DB_HOST group');
            }
          }
          break;
        case 'mssql':
          if (s.DB_URL !== undefined)
            problem('DB_URL', 'PostgreSQL only: for mssql set DB_HOST, DB_USER, DB_PASSWORD, DB_NAME');
          requireKeys(['DB_HOST', 'DB_USER', 'DB_PASSWORD', 'DB_NAME'], 'DB_TYPE=mssql');
          break;
      }
    },
    // Also when a field failed: report a bad DB_PORT and a missing DB_HOST in one round, not two.
    { when: () => true },
  );

/**
 * Validates the `DB_*` settings once, at boot, into typed {@link DatabaseSettings}. Apps pass `process.env`; tests a
 * plain object. Throws a `SettingsError` (code `INVALID_SETTINGS`) listing every bad key and how to fix it.
 */
export function parseDatabaseSettings(env: SettingsSource): DatabaseSettings {
  const s = parseSettings('database', databaseSettingsSchema, env);
  const base: BaseDatabaseSettings = {
    schemaMode: s.DB_SCHEMA ?? D.schemaMode[s.DB_TYPE],
    logging: s.DB_LOGGING,
    connectRetryAttempts: s.DB_CONNECT_RETRY_ATTEMPTS,
    connectRetryDelayMs: s.DB_CONNECT_RETRY_DELAY_MS,
  };
  const server = {
    ...base,
    ...(s.DB_TABLE_SCHEMA === undefined ? {} : { schema: s.DB_TABLE_SCHEMA }),
    poolSize: s.DB_POOL_SIZE,
    connectTimeoutMs: s.DB_CONNECT_TIMEOUT_MS,
  };
  switch (s.DB_TYPE) {
    case 'sqlite':
      return { ...base, type: 'sqlite', path: s.DB_SQLITE_PATH, busyTimeoutMs: s.DB_SQLITE_BUSY_TIMEOUT_MS };
    case 'postgres': {
      // The refinements above guarantee either a valid DB_URL or DB_HOST, DB_USER and DB_NAME.
      const url = s.DB_URL === undefined ? undefined : new URL(s.DB_URL);
      const password = s.DB_PASSWORD ?? (url?.password ? decodeURIComponent(url.password) : undefined);
      return {
        ...server,
        type: 'postgres',
        host: url ? url.hostname.replace(/^\[|\]$/g, '') : (s.DB_HOST as string),
        port: url?.port ? Number(url.port) : (s.DB_PORT ?? D.postgresPort),
        user: url ? decodeURIComponent(url.username) : (s.DB_USER as string),
        ...(password === undefined ? {} : { password: new SecretValue(password) }),
        database: url ? decodeURIComponent(url.pathname.slice(1)) : (s.DB_NAME as string),
        ssl: s.DB_SSL,
      };
    }
    case 'mssql':
      return {
        ...server,
        type: 'mssql',
        host: s.DB_HOST as string,
        port: s.DB_PORT ?? D.mssqlPort,
        user: s.DB_USER as string,
        password: new SecretValue(s.DB_PASSWORD as string),
        database: s.DB_NAME as string,
        encrypt: s.DB_ENCRYPT,
        trustServerCertificate: s.DB_TRUST_SERVER_CERTIFICATE,
      };
  }
}

/** Where the settings point, safe to log: never the password. */
export function describeDatabaseSettings(settings: DatabaseSettings): string {
  if (settings.type === 'sqlite') return `sqlite ${settings.path}`;
  const schema = settings.schema ? ` schema ${settings.schema}` : '';
  return `${settings.type} ${settings.user}@${settings.host}:${settings.port}/${settings.database}${schema}`;
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'postgres:' || url.protocol === 'postgresql:') &&
      url.hostname !== '' &&
      url.username !== '' &&
      url.pathname.length > 1 &&
      !url.pathname.slice(1).includes('/') &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}
