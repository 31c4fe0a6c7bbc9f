import { addRedriveBaseDdl } from '../migrations/add-redrive-base.ddl';
import { createRmTablesDdl } from '../migrations/create-rm-tables.ddl';
import type { RmDatabaseType } from '../schema/rm-database-type';
import { RM_TABLES } from '../schema/rm-table-names';

/** The statements that make one table as the migrations leave it. */
export interface RmTableScript {
  readonly table: string;
  readonly statements: readonly string[];
}

/** The table a DDL statement makes or changes: `CREATE TABLE t`, `ALTER TABLE t`, `CREATE [UNIQUE] INDEX i ON t`. */
const TABLE_OF = /^(?:CREATE TABLE|ALTER TABLE|CREATE (?:UNIQUE )?INDEX \S+ ON) (?:\S+\.)?"?(\w+)"? /;

/**
 * What `DB_SCHEMA=create` runs, per table in the order the migrations run it: the script a DBA runs to make the
 * tables of an empty database by hand (`npm run cli -- schema --ddl mssql`), and the fix for a missing table.
 */
export function rmSchemaScript(type: RmDatabaseType, schema?: string): readonly RmTableScript[] {
  const statements = [...createRmTablesDdl(type, schema).up, ...addRedriveBaseDdl(type, schema).up];
  return RM_TABLES.map((table) => ({
    table,
    statements: statements.filter((statement) => TABLE_OF.exec(statement)?.[1] === table),
  }));
}
