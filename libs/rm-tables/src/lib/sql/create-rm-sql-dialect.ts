import type { DataSourceOptions } from 'typeorm';
import { rmDatabaseTypeOf, type RmDatabaseType } from '../schema/rm-database-type';
import { MssqlDialect } from './mssql-dialect';
import { PostgresDialect } from './postgres-dialect';
import type { RmSqlDialect } from './rm-sql-dialect';
import { SqliteDialect } from './sqlite-dialect';

/** The dialect of a database type; `schema` qualifies table names on PostgreSQL and SQL Server. */
export function createRmSqlDialect(type: RmDatabaseType, schema?: string): RmSqlDialect {
  switch (type) {
    case 'mssql':
      return new MssqlDialect(schema);
    case 'postgres':
      return new PostgresDialect(schema);
    case 'sqlite':
      return new SqliteDialect();
  }
}

/** The dialect matching a DataSource's options (driver and schema). */
export function rmSqlDialectOf(options: DataSourceOptions): RmSqlDialect {
  return createRmSqlDialect(rmDatabaseTypeOf(options.type), 'schema' in options ? options.schema : undefined);
}
