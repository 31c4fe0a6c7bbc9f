import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliIoDouble } from '../../../test/support/cli-io-double';
import { CliExitCode } from '../cli-exit-code';
import { runStatus } from './status-command';

// What status decides before it opens a database; the counts themselves run in the integration tests.
describe('status', () => {
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    const { io, recorded } = cliIoDouble();
    return { code: await runStatus(argv, env, io), ...recorded };
  };

  it('prints its usage on --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(CliExitCode.Ok);
    expect(result.stdout).toMatch(/^Shows what the Smart Link Client has in hand/);
  });

  it('refuses an unknown option', async () => {
    const result = await run(['--watch']);
    expect(result.code).toBe(CliExitCode.Usage);
    expect(result.stderr).toMatch(/^Unknown option '--watch'/);
  });

  it('stops on bad DB_* settings, naming the key and never the password', async () => {
    const result = await run([], { DB_TYPE: 'mssql', DB_HOST: 'db', DB_USER: 'sa', DB_PASSWORD: 'pa55word' });
    expect(result.code).toBe(CliExitCode.Usage);
    expect(result.stderr).toContain('DB_NAME');
    expect(result.stderr).not.toContain('pa55word');
  });

  it('does not create a SQLite file that is not there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-status-'));
    try {
      const path = join(dir, 'missing', 'smartlink.sqlite');
      const result = await run([], { DB_SQLITE_PATH: path });
      expect(result.code).toBe(CliExitCode.Unreachable);
      expect(result.stderr).toContain(`No SQLite database at ${path}`);
      expect(result.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
