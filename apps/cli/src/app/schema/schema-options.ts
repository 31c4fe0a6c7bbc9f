import { RM_DATABASE_TYPES, type RmDatabaseType } from '@smartlink/rm-tables';
import { parseCliArgs } from '../cli-args';
import { CliUsageError } from '../cli-usage-error';

/** The schema command line. */
export interface SchemaOptions {
  readonly help: boolean;
  /** Print the script that makes the tables on this database instead of checking a database. */
  readonly ddl?: RmDatabaseType;
  /** Qualify the tables of the script with this schema. */
  readonly tableSchema?: string;
}

export const SCHEMA_USAGE = `Checks that the RM tables of a database fit the client, or prints the script that makes them.

Usage: npm run cli -- schema                 check the database of the DB_* settings, as DB_SCHEMA=verify does
       npm run cli -- schema --ddl mssql     print the SQL that makes the tables (mssql, postgres or sqlite)

  --ddl <type>            print the statements DB_SCHEMA=create runs on that database, for a DBA to run by hand
  --table-schema <name>   with --ddl: qualify the tables with this schema (DB_TABLE_SCHEMA)
  -h, --help              this text

The check reads the database catalogue and changes nothing. It lists every mismatch with the statement that fixes
it, and the missing indexes with their CREATE INDEX. The DB_* settings are read from the environment as the
services read them.

Exit codes: 0 the tables fit (or the script was printed), 1 they do not, 2 bad usage or settings, 4 database
unreachable.`;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Reads the schema command line; throws CliUsageError for a wrong one. */
export function parseSchemaOptions(argv: readonly string[]): SchemaOptions {
  const values = parseCliArgs(argv, {
    ddl: { type: 'string' },
    'table-schema': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const ddl = values.ddl;
  if (ddl !== undefined && !RM_DATABASE_TYPES.some((type) => type === ddl)) {
    throw new CliUsageError(`--ddl takes ${RM_DATABASE_TYPES.join(', ')}`);
  }
  const tableSchema = values['table-schema'];
  if (tableSchema !== undefined && (ddl === undefined || !SCHEMA_NAME.test(tableSchema))) {
    throw new CliUsageError(
      '--table-schema goes with --ddl and takes a plain schema name (letters, digits, _; up to 128)',
    );
  }
  return {
    help: values.help ?? false,
    ...(ddl === undefined ? {} : { ddl: ddl as RmDatabaseType }),
    ...(tableSchema === undefined ? {} : { tableSchema }),
  };
}
