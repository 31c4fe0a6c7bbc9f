import { inspect } from 'node:util';
import { SettingsError } from '@smartlink/common';
import { describeDatabaseSettings, parseDatabaseSettings, type DatabaseSettings } from './database-settings';

function settingsError(env: Record<string, string>): SettingsError {
  try {
    parseDatabaseSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected invalid settings');
}

const problemKeys = (env: Record<string, string>) =>
  settingsError(env)
    .problems.map((p) => p.key)
    .sort();

describe('parseDatabaseSettings', () => {
  describe('with nothing set', () => {
    it('uses the SQLite file under .local, creating the tables, with logging off', () => {
      expect(parseDatabaseSettings({})).toEqual({
        type: 'sqlite',
        path: '.local/data/smartlink.sqlite',
        busyTimeoutMs: 5000,
        schemaMode: 'create',
        logging: false,
        connectRetryAttempts: 10,
        connectRetryDelayMs: 3000,
      });
    });
  });

  describe('for SQLite', () => {
    it('reads the path, busy timeout and switches', () => {
      const settings = parseDatabaseSettings({
        DB_TYPE: 'sqlite',
        DB_SQLITE_PATH: '/var/lib/smartlink/db.sqlite',
        DB_SQLITE_BUSY_TIMEOUT_MS: '250',
        DB_SCHEMA: 'verify',
        DB_LOGGING: 'yes',
      });
      expect(settings).toMatchObject({
        type: 'sqlite',
        path: '/var/lib/smartlink/db.sqlite',
        busyTimeoutMs: 250,
        schemaMode: 'verify',
        logging: true,
      });
    });

    it('rejects server settings that suggest DB_TYPE was forgotten', () => {
      const error = settingsError({ DB_URL: 'postgres://u@h/db', DB_TABLE_SCHEMA: 'rm' });
      expect(error.problems.map((p) => p.key).sort()).toEqual(['DB_TABLE_SCHEMA', 'DB_URL']);
      expect(error.message).toContain(
        'DB_URL: set, but DB_TYPE is sqlite: set DB_TYPE=postgres or mssql, or unset DB_URL',
      );
    });
  });

  describe('for PostgreSQL', () => {
    it('reads DB_URL into host, port, user, password and database', () => {
      const settings = parseDatabaseSettings({
        DB_TYPE: 'postgres',
        DB_URL: 'postgresql://smart%20link:p%40ss@db.example:6543/rm_db',
        DB_TABLE_SCHEMA: 'smartlink',
        DB_POOL_SIZE: '4',
      });
      expect(settings).toMatchObject({
        type: 'postgres',
        host: 'db.example',
        port: 6543,
        user: 'smart link',
        database: 'rm_db',
        schema: 'smartlink',
        poolSize: 4,
        ssl: false,
      });
      expect(settings.type === 'postgres' && settings.password?.reveal()).toBe('p@ss');
    });

    it('defaults the port to 5432 and lets DB_PASSWORD override the URL password', () => {
      const settings = parseDatabaseSettings({
        DB_TYPE: 'postgres',
        DB_URL: 'postgres://u:old@[::1]/db',
        DB_PASSWORD: 'new',
      });
      expect(settings).toMatchObject({ host: '::1', port: 5432 });
      expect(settings.type === 'postgres' && settings.password?.reveal()).toBe('new');
    });

    it('reads the DB_HOST group, without a password for trust auth', () => {
      const settings = parseDatabaseSettings({
        DB_TYPE: 'postgres',
        DB_HOST: 'h',
        DB_USER: 'u',
        DB_NAME: 'd',
      });
      expect(settings).toMatchObject({ type: 'postgres', host: 'h', port: 5432, user: 'u', database: 'd' });
      expect(settings).not.toHaveProperty('password');
    });

    it('requires DB_URL or DB_HOST, DB_USER and DB_NAME', () => {
      expect(problemKeys({ DB_TYPE: 'postgres' })).toEqual(['DB_HOST', 'DB_NAME', 'DB_USER']);
      expect(settingsError({ DB_TYPE: 'postgres' }).message).toContain(
        'DB_HOST: required when DB_TYPE=postgres and DB_URL is unset (expected: host name of the database server',
      );
    });

    it('rejects DB_URL together with the DB_HOST group', () => {
      expect(
        problemKeys({ DB_TYPE: 'postgres', DB_URL: 'postgres://u@h/d', DB_HOST: 'h', DB_NAME: 'd' }),
      ).toEqual(['DB_HOST', 'DB_NAME']);
    });

    it.each([
      ['another scheme', 'mysql://u@h/d'],
      ['no database', 'postgres://u@h'],
      ['no user', 'postgres://h/d'],
      ['query parameters', 'postgres://u@h/d?sslmode=require'],
      ['not a URL', 'h:5432'],
    ])('rejects a DB_URL with %s', (_, url) => {
      expect(problemKeys({ DB_TYPE: 'postgres', DB_URL: url })).toEqual(['DB_URL']);
    });
  });

  describe('for SQL Server', () => {
    const valid = {
      DB_TYPE: 'mssql',
      DB_HOST: 'sql01',
      DB_USER: 'rm',
      DB_PASSWORD: 's3cret!',
      DB_NAME: 'CorporeRM',
    };

    it('reads the connection with TLS on and certificate checks on by default', () => {
      const settings = parseDatabaseSettings(valid);
      expect(settings).toMatchObject({
        type: 'mssql',
        host: 'sql01',
        port: 1433,
        user: 'rm',
        database: 'CorporeRM',
        encrypt: true,
        trustServerCertificate: false,
        poolSize: 10,
        connectTimeoutMs: 15000,
      });
      expect(settings.type === 'mssql' && settings.password.reveal()).toBe('s3cret!');
    });

    it('lets a test server turn the certificate check off', () => {
      expect(
        parseDatabaseSettings({ ...valid, DB_ENCRYPT: 'true', DB_TRUST_SERVER_CERTIFICATE: 'true' }),
      ).toMatchObject({
        encrypt: true,
        trustServerCertificate: true,
      });
    });

    it('requires host, user, password and database, and refuses DB_URL', () => {
      expect(problemKeys({ DB_TYPE: 'mssql', DB_URL: 'postgres://u@h/d' })).toEqual([
        'DB_HOST',
        'DB_NAME',
        'DB_PASSWORD',
        'DB_URL',
        'DB_USER',
      ]);
      expect(settingsError({ DB_TYPE: 'mssql' }).message).toContain(
        'DB_PASSWORD: required when DB_TYPE=mssql',
      );
    });
  });

  describe('DB_SCHEMA', () => {
    const mssql = { DB_TYPE: 'mssql', DB_HOST: 'h', DB_USER: 'u', DB_PASSWORD: 'p', DB_NAME: 'CorporeRM' };
    const postgres = { DB_TYPE: 'postgres', DB_URL: 'postgres://u@h/d' };

    it("verifies on SQL Server, RM's own database, and creates on PostgreSQL and SQLite by default", () => {
      expect(parseDatabaseSettings(mssql).schemaMode).toBe('verify');
      expect(parseDatabaseSettings(postgres).schemaMode).toBe('create');
      expect(parseDatabaseSettings({}).schemaMode).toBe('create');
    });

    it('takes create or verify on any database', () => {
      expect(parseDatabaseSettings({ ...mssql, DB_SCHEMA: 'create' }).schemaMode).toBe('create');
      expect(parseDatabaseSettings({ ...postgres, DB_SCHEMA: 'verify' }).schemaMode).toBe('verify');
      expect(parseDatabaseSettings({ DB_SCHEMA: 'verify' }).schemaMode).toBe('verify');
    });

    it('refuses a schema name, pointing at DB_TABLE_SCHEMA', () => {
      const error = settingsError({ ...mssql, DB_SCHEMA: 'dbo' });
      expect(error.problems.map((p) => p.key)).toEqual(['DB_SCHEMA']);
      expect(error.message).toContain('DB_SCHEMA: neither create nor verify');
      expect(error.message).toContain('The schema that holds the tables is DB_TABLE_SCHEMA');
    });

    it('refuses the retired DB_MIGRATIONS_RUN, saying what replaces it', () => {
      for (const value of ['true', 'false']) {
        const error = settingsError({ DB_MIGRATIONS_RUN: value });
        expect(error.problems.map((p) => p.key)).toEqual(['DB_MIGRATIONS_RUN']);
        expect(error.message).toContain(
          'DB_MIGRATIONS_RUN: no longer read: DB_SCHEMA replaces it (expected: unset; write DB_SCHEMA=create where it ' +
            'was true, DB_SCHEMA=verify where it was false)',
        );
      }
    });
  });

  describe('with bad values', () => {
    it.each([
      ['DB_TYPE', 'oracle'],
      ['DB_PORT', '70000'],
      ['DB_PORT', 'abc'],
      ['DB_POOL_SIZE', '0'],
      ['DB_TABLE_SCHEMA', 'rm; DROP TABLE x'],
      ['DB_SCHEMA', 'maybe'],
      ['DB_MIGRATIONS_RUN', 'true'],
      ['DB_ENCRYPT', 'sometimes'],
    ])('names %s=%s and says what is expected', (key, value) => {
      const error = settingsError({
        ...{ DB_TYPE: 'mssql', DB_HOST: 'h', DB_USER: 'u', DB_PASSWORD: 'p', DB_NAME: 'd' },
        [key]: value,
      });
      expect(error.problems.map((p) => p.key)).toEqual([key]);
      expect(error.problems[0]?.hint).toBeTruthy();
      expect(error.retriable).toBe(false);
    });

    it('reports bad values and missing keys together, in one round', () => {
      expect(problemKeys({ DB_TYPE: 'mssql', DB_HOST: 'sql01', DB_PORT: 'x' })).toEqual([
        'DB_NAME',
        'DB_PASSWORD',
        'DB_PORT',
        'DB_USER',
      ]);
    });

    it('treats empty strings as unset', () => {
      expect(parseDatabaseSettings({ DB_TYPE: '', DB_URL: '', DB_PORT: '' })).toMatchObject({
        type: 'sqlite',
      });
    });
  });

  describe('never shows the password', () => {
    const password = 'Tr0ub4dor&3';

    it('in errors, wherever it was put', () => {
      const error = settingsError({
        DB_TYPE: 'mssql',
        DB_HOST: password,
        DB_PORT: password,
        DB_USER: 'u',
        DB_NAME: 'd',
      });
      expect(error.message).not.toContain(password);
      const badUrl = settingsError({ DB_TYPE: 'postgres', DB_URL: `postgres://u:${password}@h/d?x=1` });
      expect(badUrl.message).not.toContain(password);
    });

    it('when the settings are logged, serialised or described', () => {
      const settings: DatabaseSettings = parseDatabaseSettings({
        DB_TYPE: 'postgres',
        DB_URL: `postgres://u:${encodeURIComponent(password)}@h/d`,
      });
      expect(JSON.stringify(settings)).not.toContain(password);
      expect(inspect(settings, { depth: 5 })).not.toContain(password);
      expect(`${settings.type === 'postgres' ? settings.password : ''}`).toBe('[redacted]');
      expect(describeDatabaseSettings(settings)).toBe('postgres u@h:5432/d');
    });
  });
});

describe('describeDatabaseSettings', () => {
  it('names the SQLite file', () => {
    expect(describeDatabaseSettings(parseDatabaseSettings({}))).toBe('sqlite .local/data/smartlink.sqlite');
  });

  it('names server, database and schema', () => {
    const settings = parseDatabaseSettings({
      DB_TYPE: 'mssql',
      DB_HOST: 'sql01',
      DB_PORT: '1444',
      DB_USER: 'rm',
      DB_PASSWORD: 'x',
      DB_NAME: 'CorporeRM',
      DB_TABLE_SCHEMA: 'dbo',
    });
    expect(describeDatabaseSettings(settings)).toBe('mssql rm@sql01:1444/CorporeRM schema dbo');
  });
});
