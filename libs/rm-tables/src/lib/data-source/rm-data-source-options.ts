import type { DataSourceOptions } from 'typeorm';
import { AddRedriveBaseMigration } from '../migrations/add-redrive-base.migration';
import { CreateRmTablesMigration } from '../migrations/create-rm-tables.migration';
import { rmEntitySchemas } from '../schema/rm-entity-schemas';
import { RmTableName } from '../schema/rm-table-names';
import type { DatabaseSettings } from '../settings/database-settings';

/** Shown to the database as the client name (`application_name`, `program_name`), so a DBA can tell who is connected. */
const APPLICATION_NAME = 'smartlink-client';

/**
 * TypeORM options for the settings: the RM entity schemas with this database's column types, the migrations, and
 * the driver options. Migrations are not run by TypeORM (`migrationsRun: false`): {@link openRmDataSource} runs them
 * under a lock. Never `synchronize`: the schema belongs to the migrations.
 */
export function rmDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const schema = settings.type === 'sqlite' ? undefined : settings.schema;
  const common = {
    entities: rmEntitySchemas(settings.type, schema),
    // In order; a deployed migration is never edited, a change is a new one.
    migrations: [CreateRmTablesMigration, AddRedriveBaseMigration],
    migrationsTableName: RmTableName.Migrations,
    migrationsRun: false,
    synchronize: false,
    logging: settings.logging,
  };
  switch (settings.type) {
    case 'sqlite':
      return {
        ...common,
        type: 'better-sqlite3',
        database: settings.path,
        // Several service processes share the file: WAL lets readers run beside the one writer, and the busy
        // timeout makes a writer wait for the lock instead of failing with SQLITE_BUSY at once.
        enableWAL: true,
        timeout: settings.busyTimeoutMs,
      };
    case 'postgres': {
      const password = settings.password;
      return {
        ...common,
        type: 'postgres',
        host: settings.host,
        port: settings.port,
        username: settings.user,
        // pg accepts a function: the password is read when a connection opens and never sits in the options.
        ...(password ? { password: () => password.reveal() } : {}),
        database: settings.database,
        ...(schema ? { schema } : {}),
        poolSize: settings.poolSize,
        connectTimeoutMS: settings.connectTimeoutMs,
        ssl: settings.ssl ? { rejectUnauthorized: true } : false,
        applicationName: APPLICATION_NAME,
      };
    }
    case 'mssql':
      return {
        ...common,
        type: 'mssql',
        host: settings.host,
        port: settings.port,
        username: settings.user,
        password: settings.password.reveal(),
        database: settings.database,
        ...(schema ? { schema } : {}),
        connectionTimeout: settings.connectTimeoutMs,
        pool: { max: settings.poolSize },
        options: {
          encrypt: settings.encrypt,
          trustServerCertificate: settings.trustServerCertificate,
          // TypeORM turns tedious' useUTC off unless told otherwise, which would store local wall-clock time in the
          // datetime2 columns; the tables hold UTC.
          useUTC: true,
          appName: APPLICATION_NAME,
        },
      };
  }
}
