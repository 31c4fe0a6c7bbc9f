import type { RmDatabaseType } from '../schema/rm-database-type';
import { RmTableName as T } from '../schema/rm-table-names';
import { quoteMssql } from '../sql/mssql-dialect';
import type { MigrationDdl } from './create-rm-tables.ddl';

/**
 * DDL of the second migration: `GTOTVSLINKMESSAGE.TENTATIVASBASE`, the attempts made before the last redrive. A new
 * migration rather than an edit of the first, which may be deployed already. `NOT NULL DEFAULT 0` fills existing
 * rows in the same statement on all three databases (on SQL Server and PostgreSQL 11+ without rewriting the table).
 */
export function addRedriveBaseDdl(type: RmDatabaseType, schema?: string): MigrationDdl {
  switch (type) {
    case 'mssql': {
      const table = schema ? `${quoteMssql(schema)}.${T.Message}` : T.Message;
      const constraint = `DF_${T.Message}_TENTATIVASBASE`;
      return {
        up: [`ALTER TABLE ${table} ADD TENTATIVASBASE int NOT NULL CONSTRAINT ${constraint} DEFAULT 0`],
        // SQL Server refuses to drop a column while its default constraint exists.
        down: [
          `ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`,
          `ALTER TABLE ${table} DROP COLUMN TENTATIVASBASE`,
        ],
      };
    }
    case 'postgres':
    case 'sqlite': {
      // SQLite has no schemas; DROP COLUMN needs SQLite 3.35+, which better-sqlite3 bundles.
      const table = type === 'postgres' && schema ? `"${schema}"."${T.Message}"` : `"${T.Message}"`;
      return {
        up: [`ALTER TABLE ${table} ADD COLUMN "TENTATIVASBASE" integer NOT NULL DEFAULT 0`],
        down: [`ALTER TABLE ${table} DROP COLUMN "TENTATIVASBASE"`],
      };
    }
  }
}
