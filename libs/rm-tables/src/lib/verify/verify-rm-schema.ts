import type { DataSource } from 'typeorm';
import { RmTablesError } from '../rm-tables.error';
import { rmDatabaseTypeOf, type RmDatabaseType } from '../schema/rm-database-type';
import { compareRmSchema, type RmSchemaReport } from './compare-rm-schema';
import { formatRmSchemaFindings } from './format-rm-schema-findings';
import { MssqlSchemaRules } from './mssql-schema-rules';
import { mssqlCatalogueReader } from './mssql-catalogue-reader';
import { PostgresSchemaRules } from './postgres-schema-rules';
import { postgresCatalogueReader } from './postgres-catalogue-reader';
import type { CatalogueRows, RmCatalogueReader } from './rm-catalogue-reader';
import { RmSchemaMismatchError } from './rm-schema-mismatch.error';
import type { RmSchemaRules } from './rm-schema-rules';
import { SqliteSchemaRules } from './sqlite-schema-rules';
import { sqliteCatalogueReader } from './sqlite-catalogue-reader';

/** Where the verify reports. */
export interface VerifyRmSchemaOptions {
  /** The database as the messages name it, e.g. `describeDatabaseSettings(settings)`. */
  readonly where: string;
  /** Receives the warnings (missing performance indexes) once, as one message. */
  readonly warn: (message: string) => void;
}

/**
 * `DB_SCHEMA=verify`: reads the catalogue (never writes) and checks that the RM tables fit the client. Warnings go to
 * `warn` once; any mismatch throws {@link RmSchemaMismatchError} listing them all with their fixes. A catalogue that
 * cannot be read throws `RmTablesError`.
 */
export async function verifyRmSchema(
  dataSource: DataSource,
  options: VerifyRmSchemaOptions,
): Promise<RmSchemaReport> {
  const type = rmDatabaseTypeOf(dataSource.options.type);
  const schema = 'schema' in dataSource.options ? dataSource.options.schema : undefined;
  const reader = catalogueReader(type, schema);
  const results: CatalogueRows[] = [];
  try {
    for (const statement of reader.statements) {
      results.push(await dataSource.query(statement.sql, [...statement.parameters]));
    }
  } catch (error) {
    throw new RmTablesError('read the database catalogue', error);
  }
  const report = compareRmSchema(reader.catalogue(results), schemaRules(type, schema));
  if (report.warnings.length > 0) {
    options.warn(
      `The RM tables in ${options.where} lack indexes the client's queries use; it runs, slower. ` +
        `A DBA can add them:\n${formatRmSchemaFindings(report.warnings)}`,
    );
  }
  if (report.mismatches.length > 0) throw new RmSchemaMismatchError(report.mismatches, options.where);
  return report;
}

/** The catalogue reader of a database type. */
export function catalogueReader(type: RmDatabaseType, schema?: string): RmCatalogueReader {
  switch (type) {
    case 'mssql':
      return mssqlCatalogueReader(schema);
    case 'postgres':
      return postgresCatalogueReader(schema);
    case 'sqlite':
      return sqliteCatalogueReader();
  }
}

/** The verify rules of a database type. */
export function schemaRules(type: RmDatabaseType, schema?: string): RmSchemaRules {
  switch (type) {
    case 'mssql':
      return new MssqlSchemaRules(schema);
    case 'postgres':
      return new PostgresSchemaRules(schema);
    case 'sqlite':
      return new SqliteSchemaRules();
  }
}
