import { cliIoDouble } from '../../test/support/cli-io-double';
import { CLI_USAGE, runCli } from './cli';
import { CliExitCode } from './cli-exit-code';

describe('runCli', () => {
  const run = async (argv: string[]) => {
    const { io, recorded } = cliIoDouble();
    return { code: await runCli(argv, {}, io), ...recorded };
  };

  it('prints the usage on help, --help and -h', async () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      expect(await run(argv)).toMatchObject({ code: CliExitCode.Ok, stdout: `${CLI_USAGE}\n`, stderr: '' });
    }
  });

  it('prints a command’s usage on help <command>', async () => {
    expect((await run(['help', 'activate'])).stdout).toMatch(/^Activates this Smart Link Client/);
    expect((await run(['help', 'status'])).stdout).toMatch(/^Shows what the Smart Link Client has in hand/);
  });

  it('exits 2 with the usage for no command or an unknown one', async () => {
    const none = await run([]);
    expect(none.code).toBe(CliExitCode.Usage);
    expect(none.stderr).toBe(`No command given.\n\n${CLI_USAGE}\n`);
    for (const name of ['activte', 'toString', 'constructor']) {
      const unknown = await run([name]);
      expect(unknown.code).toBe(CliExitCode.Usage);
      expect(unknown.stderr).toMatch(new RegExp(`^Unknown command "${name}"\\.`));
    }
  });

  it('hands the rest of the command line to the command', async () => {
    const result = await run(['status', '--bogus']);
    expect(result.code).toBe(CliExitCode.Usage);
    expect(result.stderr).toMatch(/^Unknown option '--bogus'/);
  });
});
