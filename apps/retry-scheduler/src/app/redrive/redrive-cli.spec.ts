import { EXIT_OK, EXIT_USAGE, REDRIVE_USAGE, runRedriveCli } from './redrive-cli';

function run(argv: string[], env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
  return runRedriveCli(argv, env, io).then((code) => ({ code, ...out }));
}

// The CLI's own checks, which run before it touches a database or a broker; the redrive itself runs in the
// integration tests against real ones.
describe('the redrive CLI', () => {
  it('prints its usage on --help', async () => {
    expect(await run(['--help'])).toEqual({ code: EXIT_OK, stdout: `${REDRIVE_USAGE}\n`, stderr: '' });
  });

  it('refuses unknown options and stray arguments with the usage', async () => {
    for (const argv of [['--everything'], ['m1']]) {
      const result = await run(argv);
      expect(result.code).toBe(EXIT_USAGE);
      expect(result.stderr).toContain('Usage:');
    }
  });

  it('refuses a redrive without a filter or without an operator', async () => {
    expect((await run(['--by', 'alice'])).stderr).toMatch(/^Invalid redrive: say which dead messages/);
    expect((await run(['--command', 'X'])).stderr).toMatch(/^Invalid redrive: by: /);
    expect((await run(['--command', 'X', '--limit', 'ten', '--by', 'a'])).stderr).toMatch(
      /^Invalid redrive: limit: /,
    );
  });

  it('takes the operator from $USER when --by is not given, and stops on a bad setting', async () => {
    const result = await run(['--id', 'm1'], { USER: 'bob', DB_TYPE: 'oracle' });
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(/DB_TYPE/);
  });
});
