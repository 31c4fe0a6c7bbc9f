import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import type { SqlServerDataSourceOptions } from 'typeorm/driver/sqlserver/SqlServerDataSourceOptions';
import { parseDatabaseSettings } from '../settings/database-settings';
import { rmDataSourceOptions } from './rm-data-source-options';

describe('rmDataSourceOptions', () => {
  it('never synchronises and leaves migrations to openRmDataSource, in the RM-named migrations table', () => {
    const options = rmDataSourceOptions(parseDatabaseSettings({}));
    expect(options).toMatchObject({
      synchronize: false,
      migrationsRun: false,
      migrationsTableName: 'GTOTVSLINKMIGRATIONS',
    });
    expect(options.entities).toHaveLength(3);
    expect(options.migrations).toHaveLength(2);
  });

  it('opens SQLite with WAL and the busy timeout, for several processes on one file', () => {
    const options = rmDataSourceOptions(
      parseDatabaseSettings({ DB_SQLITE_PATH: '/tmp/x.sqlite', DB_SQLITE_BUSY_TIMEOUT_MS: '1234' }),
    );
    expect(options).toMatchObject({
      type: 'better-sqlite3',
      database: '/tmp/x.sqlite',
      enableWAL: true,
      timeout: 1234,
    });
  });

  it('hands PostgreSQL the password through a function, keeping it out of the options', () => {
    const options = rmDataSourceOptions(
      parseDatabaseSettings({
        DB_TYPE: 'postgres',
        DB_URL: 'postgres://u:pw@h:1/d',
        DB_TABLE_SCHEMA: 'rm',
        DB_POOL_SIZE: '3',
      }),
    ) as PostgresDataSourceOptions;
    expect(options).toMatchObject({
      type: 'postgres',
      host: 'h',
      port: 1,
      username: 'u',
      database: 'd',
      schema: 'rm',
      poolSize: 3,
      ssl: false,
    });
    expect(JSON.stringify(options)).not.toContain('pw');
    expect(typeof options.password === 'function' && options.password()).toBe('pw');
  });

  it('verifies the PostgreSQL certificate when DB_SSL is on', () => {
    const options = rmDataSourceOptions(
      parseDatabaseSettings({ DB_TYPE: 'postgres', DB_URL: 'postgres://u@h/d', DB_SSL: 'true' }),
    ) as PostgresDataSourceOptions;
    expect(options.ssl).toEqual({ rejectUnauthorized: true });
  });

  it('makes SQL Server store UTC (useUTC), encrypt and verify the certificate by default', () => {
    const options = rmDataSourceOptions(
      parseDatabaseSettings({
        DB_TYPE: 'mssql',
        DB_HOST: 'sql01',
        DB_USER: 'rm',
        DB_PASSWORD: 'pw',
        DB_NAME: 'rm',
      }),
    ) as SqlServerDataSourceOptions;
    expect(options).toMatchObject({
      type: 'mssql',
      host: 'sql01',
      port: 1433,
      username: 'rm',
      password: 'pw',
      database: 'rm',
      pool: { max: 10 },
      options: { encrypt: true, trustServerCertificate: false, useUTC: true },
    });
    expect(options).not.toHaveProperty('schema');
  });
});
