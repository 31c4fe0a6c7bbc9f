import { cliIoDouble } from '../../../test/support/cli-io-double';
import { CliExitCode } from '../cli-exit-code';
import { runSchema } from './schema-command';

// What schema decides before it opens a database, and the script it prints; the check runs in the integration tests.
describe('schema', () => {
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    const { io, recorded } = cliIoDouble();
    return { code: await runSchema(argv, env, io), ...recorded };
  };

  it('prints its usage on --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(CliExitCode.Ok);
    expect(result.stdout).toMatch(/^Checks that the RM tables of a database fit the client/);
  });

  it('prints the SQL Server script DB_SCHEMA=create runs, table by table, each statement ended', async () => {
    const result = await run(['--ddl', 'mssql']);
    expect(result.code).toBe(CliExitCode.Ok);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '-- The RM tables of the Smart Link Client on mssql: what DB_SCHEMA=create runs on an empty database.',
      '',
      '-- GTOTVSLINKMESSAGE',
      'CREATE TABLE GTOTVSLINKMESSAGE (',
      '  ID nvarchar(128) NOT NULL,',
    ]);
    expect(lines.filter((l) => l.startsWith('-- GTOTVSLINK'))).toEqual([
      '-- GTOTVSLINKMESSAGE',
      '-- GTOTVSLINKMESSAGEEXEC',
      '-- GTOTVSLINKLOG',
    ]);
    expect(lines.filter((l) => /^(CREATE|ALTER)/.test(l))).toHaveLength(10);
    expect(result.stdout).toContain(
      'ALTER TABLE GTOTVSLINKMESSAGE ADD TENTATIVASBASE int NOT NULL CONSTRAINT DF_GTOTVSLINKMESSAGE_TENTATIVASBASE DEFAULT 0;',
    );
    expect(result.stdout).toContain(
      'CREATE UNIQUE INDEX UQ_GTOTVSLINKMESSAGEEXEC_IDMENSAGEM_TENTATIVA ON GTOTVSLINKMESSAGEEXEC (IDMENSAGEM, TENTATIVA);',
    );
  });

  it('qualifies the tables with --table-schema', async () => {
    const result = await run(['--ddl', 'mssql', '--table-schema', 'dbo']);
    expect(result.stdout).toContain('CREATE TABLE [dbo].GTOTVSLINKLOG (');
  });

  it.each([
    [['--ddl', 'oracle'], '--ddl takes sqlite, postgres, mssql'],
    [['--table-schema', 'dbo'], '--table-schema goes with --ddl'],
    [['--ddl', 'mssql', '--table-schema', 'dbo; DROP'], '--table-schema goes with --ddl'],
    [['--verbose'], "Unknown option '--verbose'"],
  ])('refuses %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(CliExitCode.Usage);
    expect(result.stderr).toContain(message);
  });

  it('stops on bad DB_* settings, naming the key and never the password', async () => {
    const result = await run([], { DB_TYPE: 'mssql', DB_HOST: 'db', DB_USER: 'sa', DB_PASSWORD: 'pa55word' });
    expect(result.code).toBe(CliExitCode.Usage);
    expect(result.stderr).toContain('DB_NAME');
    expect(result.stderr).not.toContain('pa55word');
  });
});
