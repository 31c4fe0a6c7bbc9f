import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SettingsError, SmartLinkError, type SettingsSource } from '@smartlink/common';
import {
  describeDatabaseSettings,
  isRetriableDatabaseError,
  openRmTables,
  parseDatabaseSettings,
  type DatabaseSettings,
  type RmTables,
} from '@smartlink/rm-tables';
import { CliExitCode } from '../cli-exit-code';
import type { CliIo } from '../cli-io';
import { CliUsageError } from '../cli-usage-error';
import { STATUS_USAGE, parseStatusOptions, type StatusOptions } from './status-options';
import { FAILURE_WINDOW_MS, buildStatusReport, formatStatusText } from './status-report';

/**
 * `status`: opens the RM tables with the services' DB_* settings (verifying them, never creating them), counts the messages not done by
 * command and status and the attempts failed in the last hour, and prints them as tables or JSON. Resolves with the
 * exit code.
 */
export async function runStatus(argv: readonly string[], env: SettingsSource, io: CliIo): Promise<number> {
  let options: StatusOptions;
  let settings: DatabaseSettings;
  try {
    options = parseStatusOptions(argv);
    if (options.help) {
      io.stdout(`${STATUS_USAGE}\n`);
      return CliExitCode.Ok;
    }
    settings = parseDatabaseSettings(env);
  } catch (error) {
    if (error instanceof CliUsageError || error instanceof SettingsError) {
      io.stderr(`${error.message}\n\nRun \`status --help\` for the options.\n`);
      return CliExitCode.Usage;
    }
    throw error;
  }

  const database = describeDatabaseSettings(settings);
  // Opening a missing SQLite file would create an empty one; a status report has nothing to say about that.
  if (settings.type === 'sqlite' && settings.path !== ':memory:' && !existsSync(settings.path)) {
    io.stderr(
      `No SQLite database at ${resolve(settings.path)} (DB_SQLITE_PATH): point the DB_* settings at the ` +
        'database the services use.\n',
    );
    return CliExitCode.Unreachable;
  }

  let tables: RmTables;
  try {
    // Verified, never created: a report of tables that do not fit would mislead.
    tables = await openRmTables(
      { ...settings, schemaMode: 'verify' },
      { warn: (message) => io.stderr(`${message}\n`) },
    );
  } catch (error) {
    if (error instanceof SmartLinkError && !error.retriable) {
      io.stderr(`${error.message}\n`);
      return CliExitCode.Failed;
    }
    io.stderr(`Could not connect to ${database}: ${messageOf(error)}\n`);
    return isRetriableDatabaseError(error) ? CliExitCode.Unreachable : CliExitCode.Failed;
  }
  try {
    const at = io.now();
    const [messages, failures] = await Promise.all([
      tables.messages.countByCommand(),
      tables.attempts.countFailedSince(new Date(at.getTime() - FAILURE_WINDOW_MS)),
    ]);
    const report = buildStatusReport({ at, database, messages, failures, windowMs: FAILURE_WINDOW_MS });
    io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatusText(report));
    return CliExitCode.Ok;
  } catch (error) {
    io.stderr(`Could not read the RM tables in ${database}: ${messageOf(error)}\n`);
    const retriable = error instanceof SmartLinkError ? error.retriable : isRetriableDatabaseError(error);
    return retriable ? CliExitCode.Unreachable : CliExitCode.Failed;
  } finally {
    await tables.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
