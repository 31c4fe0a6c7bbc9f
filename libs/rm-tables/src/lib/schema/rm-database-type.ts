import { SmartLinkError } from '@smartlink/common';

/** The databases the RM tables live in: SQL Server in production, PostgreSQL and SQLite too. */
export const RM_DATABASE_TYPES = ['sqlite', 'postgres', 'mssql'] as const;

/** One of {@link RM_DATABASE_TYPES}; the value of `DB_TYPE`. */
export type RmDatabaseType = (typeof RM_DATABASE_TYPES)[number];

/** Maps a TypeORM driver name to the RM database type; throws `UNSUPPORTED_DATABASE` for any other driver. */
export function rmDatabaseTypeOf(driver: string): RmDatabaseType {
  switch (driver) {
    case 'mssql':
    case 'postgres':
      return driver;
    case 'better-sqlite3':
      return 'sqlite';
    default:
      throw new SmartLinkError(
        'UNSUPPORTED_DATABASE',
        `The RM tables do not support the ${driver} driver`,
        false,
      );
  }
}
