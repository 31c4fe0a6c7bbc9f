import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { SmartLinkError } from '@smartlink/common';
import { DataSource } from 'typeorm';
import { describeDatabaseSettings, type DatabaseSettings } from '../settings/database-settings';
import { verifyRmSchema } from '../verify/verify-rm-schema';
import { rmDataSourceOptions } from './rm-data-source-options';
import { runRmMigrations } from './run-rm-migrations';

/** How {@link openRmDataSource} reports what does not stop it. */
export interface OpenRmDataSourceOptions {
  /** Receives the warnings of a verify (missing performance indexes) once; default: Nest's logger. */
  readonly warn?: (message: string) => void;
}

/**
 * Connects to the database of `settings` and treats the RM tables as `settings.schemaMode` says: `create` brings them
 * up to date with the migrations (creating the SQLite file's directory first); `verify` checks them and changes
 * nothing, failing with `RM_SCHEMA_MISMATCH` (not retriable) when they do not fit. The caller owns the returned
 * DataSource and must `destroy()` it.
 */
export async function openRmDataSource(
  settings: DatabaseSettings,
  options: OpenRmDataSourceOptions = {},
): Promise<DataSource> {
  const where = describeDatabaseSettings(settings);
  if (settings.type === 'sqlite' && settings.path !== ':memory:') {
    if (settings.schemaMode === 'create') {
      await mkdir(dirname(resolve(settings.path)), { recursive: true });
    } else if (!existsSync(settings.path)) {
      // Opening a missing file would create it.
      throw new SmartLinkError(
        'RM_SCHEMA_MISMATCH',
        `No SQLite database at ${resolve(settings.path)}: DB_SCHEMA=verify checks tables that exist and creates ` +
          'nothing. Point DB_SQLITE_PATH at the database, or set DB_SCHEMA=create.',
        false,
      );
    }
  }
  const dataSource = new DataSource(rmDataSourceOptions(settings));
  await dataSource.initialize();
  try {
    if (settings.schemaMode === 'create') await runRmMigrations(dataSource);
    else {
      const warn = options.warn ?? ((message: string) => new Logger('RmTables').warn(message));
      await verifyRmSchema(dataSource, { where, warn });
    }
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
