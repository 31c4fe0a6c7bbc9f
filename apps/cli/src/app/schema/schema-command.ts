import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SettingsError, SmartLinkError, type SettingsSource } from '@smartlink/common';
import {
  describeDatabaseSettings,
  isRetriableDatabaseError,
  openRmTables,
  parseDatabaseSettings,
  rmSchemaScript,
  type DatabaseSettings,
  type RmDatabaseType,
} from '@smartlink/rm-tables';
import { CliExitCode } from '../cli-exit-code';
import type { CliIo } from '../cli-io';
import { CliUsageError } from '../cli-usage-error';
import { SCHEMA_USAGE, parseSchemaOptions, type SchemaOptions } from './schema-options';

/**
 * `schema`: checks the RM tables of the DB_* database as `DB_SCHEMA=verify` does (reading the catalogue, changing
 * nothing), or with `--ddl <type>` prints the statements `DB_SCHEMA=create` runs. Resolves with the exit code.
 */
export async function runSchema(argv: readonly string[], env: SettingsSource, io: CliIo): Promise<number> {
  let options: SchemaOptions;
  try {
    options = parseSchemaOptions(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    io.stderr(`${error.message}\n\nRun \`schema --help\` for the options.\n`);
    return CliExitCode.Usage;
  }
  if (options.help) {
    io.stdout(`${SCHEMA_USAGE}\n`);
    return CliExitCode.Ok;
  }
  if (options.ddl) {
    io.stdout(ddlScript(options.ddl, options.tableSchema));
    return CliExitCode.Ok;
  }
  let settings: DatabaseSettings;
  try {
    settings = parseDatabaseSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`${error.message}\n`);
    return CliExitCode.Usage;
  }
  return checkSchema(settings, io);
}

async function checkSchema(settings: DatabaseSettings, io: CliIo): Promise<number> {
  const database = describeDatabaseSettings(settings);
  if (settings.type === 'sqlite' && settings.path !== ':memory:' && !existsSync(settings.path)) {
    io.stderr(`No SQLite database at ${resolve(settings.path)} (DB_SQLITE_PATH).\n`);
    return CliExitCode.Unreachable;
  }
  try {
    const tables = await openRmTables(
      { ...settings, schemaMode: 'verify' },
      { warn: (message) => io.stdout(`${message}\n`) },
    );
    await tables.close();
  } catch (error) {
    if (error instanceof SmartLinkError && !error.retriable) {
      io.stdout(`${error.message}\n`);
      return CliExitCode.Failed;
    }
    io.stderr(`Could not connect to ${database}: ${error instanceof Error ? error.message : String(error)}\n`);
    return isRetriableDatabaseError(error) ? CliExitCode.Unreachable : CliExitCode.Failed;
  }
  io.stdout(`The RM tables in ${database} fit the client.\n`);
  return CliExitCode.Ok;
}

function ddlScript(type: RmDatabaseType, tableSchema?: string): string {
  const tables = rmSchemaScript(type, tableSchema).map(
    ({ table, statements }) => [`-- ${table}`, ...statements.map((s) => `${s};`)].join('\n'),
  );
  return [
    `-- The RM tables of the Smart Link Client on ${type}: what DB_SCHEMA=create runs on an empty database.`,
    ...tables,
  ].join('\n\n') + '\n';
}
