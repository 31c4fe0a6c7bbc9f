import { parseCliArgs } from '../cli-args';

/** The status command line. */
export interface StatusOptions {
  readonly help: boolean;
  /** Print the report as JSON, for scripts and monitoring. */
  readonly json: boolean;
}

export const STATUS_USAGE = `Shows what the Smart Link Client has in hand, from the RM tables: messages not done per command
(GTOTVSLINKMESSAGE: pending, waiting retry, dispatched, dead, and the age of the oldest still to run), attempts that
failed in the last hour (GTOTVSLINKMESSAGEEXEC) and the dead letters waiting for a redrive.

Usage: npm run cli -- status [--json]

  --json      print the report as JSON
  -h, --help  this text

The database is the services' own: DB_TYPE (sqlite, postgres, mssql) and the other DB_* settings, read from the
environment as the services read them. The CLI only reads; it never creates or migrates the tables.

Exit codes: 0 shown, 1 failed (e.g. the tables are missing), 2 bad usage or settings, 4 database unreachable.`;

/** Reads the status command line; throws CliUsageError for a wrong one. */
export function parseStatusOptions(argv: readonly string[]): StatusOptions {
  const values = parseCliArgs(argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  return { help: values.help ?? false, json: values.json ?? false };
}
