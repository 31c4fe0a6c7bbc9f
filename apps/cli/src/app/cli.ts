import type { SettingsSource } from '@smartlink/common';
import { runActivate } from './activate/activate-command';
import { CliExitCode } from './cli-exit-code';
import type { CliIo } from './cli-io';
import { runSchema } from './schema/schema-command';
import { runStatus } from './status/status-command';

export const CLI_USAGE = `The Smart Link Client's operator CLI.

Usage: npm run cli -- <command> [options]    (or: node dist/apps/cli/main.js <command> [options])

Commands:
  activate   check the clientId/clientSecret with RAC, show the tenant, set up the tenant queue with the commands
             to subscribe, and print the Kubernetes Secret and ConfigMap the services read
  status     messages not done per command, failed attempts in the last hour and dead letters, from the RM tables
  schema     check that the RM tables of a database fit the client, or print the SQL that makes them (--ddl mssql)
  help       this text; \`<command> --help\` tells more about a command

Exit codes: 0 ok, 1 failed, 2 bad usage, 3 credentials refused, 4 cloud or database unreachable, 130 cancelled.`;

type Command = (argv: readonly string[], env: SettingsSource, io: CliIo) => Promise<number>;

const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['activate', (argv, env, io) => runActivate(argv, env, io)],
  ['status', runStatus],
  ['schema', runSchema],
]);

/** Runs one CLI command; resolves with the process exit code. */
export async function runCli(argv: readonly string[], env: SettingsSource, io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    const command = rest[0] === undefined ? undefined : COMMANDS.get(rest[0]);
    if (command) return command(['--help'], env, io);
    io.stdout(`${CLI_USAGE}\n`);
    return CliExitCode.Ok;
  }
  const command = name === undefined ? undefined : COMMANDS.get(name);
  if (!command) {
    io.stderr(
      `${name === undefined ? 'No command given.' : `Unknown command ${JSON.stringify(name)}.`}\n\n${CLI_USAGE}\n`,
    );
    return CliExitCode.Usage;
  }
  return command(rest, env, io);
}
