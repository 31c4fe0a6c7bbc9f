import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { DatabaseSettings } from '../settings/database-settings';
import { rmDataSourceOptions } from './rm-data-source-options';
import { runRmMigrations } from './run-rm-migrations';

/**
 * Connects to the database of `settings` and, when `migrationsRun` is on, brings the RM tables up to date. For SQLite
 * the file's directory is created first. The caller owns the returned DataSource and must `destroy()` it.
 */
export async function openRmDataSource(settings: DatabaseSettings): Promise<DataSource> {
  if (settings.type === 'sqlite' && settings.path !== ':memory:') {
    await mkdir(dirname(resolve(settings.path)), { recursive: true });
  }
  const dataSource = new DataSource(rmDataSourceOptions(settings));
  await dataSource.initialize();
  try {
    if (settings.migrationsRun) await runRmMigrations(dataSource);
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
