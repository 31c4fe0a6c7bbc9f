import { CliUsageError } from '../cli-usage-error';
import { ActivateDefaults, parseActivateOptions } from './activate-options';

describe('parseActivateOptions', () => {
  it("defaults to TOTVS production, the manifests' namespace and overlay, and asks for what is missing", () => {
    expect(parseActivateOptions([], {})).toEqual({
      help: false,
      clientId: undefined,
      secret: { from: 'prompt' },
      commands: undefined,
      racUrl: ActivateDefaults.racUrl,
      apiUrl: ActivateDefaults.apiUrl,
      showSecret: false,
      namespace: 'smartlink',
      overlay: 'docker/k8s/site',
    });
  });

  it('reads the services’ env vars, treating empty ones as unset', () => {
    const options = parseActivateOptions([], {
      SMARTLINK_CLIENT_ID: ' c1 ',
      SMARTLINK_CLIENT_SECRET: 's',
      SMARTLINK_SUBSCRIPTIONS: 'A,B',
      SMARTLINK_RAC_URL: '',
      SMARTLINK_API_URL: 'http://sim/api/v1',
    });
    expect(options).toMatchObject({
      clientId: 'c1',
      secret: { from: 'env', value: 's' },
      commands: 'A,B',
      racUrl: ActivateDefaults.racUrl,
      apiUrl: 'http://sim/api/v1',
    });
  });

  it('takes flags over env vars, and --client-secret-stdin over both', () => {
    const env = {
      SMARTLINK_CLIENT_ID: 'env',
      SMARTLINK_CLIENT_SECRET: 'env-secret',
      SMARTLINK_SUBSCRIPTIONS: 'E',
    };
    expect(parseActivateOptions(['--client-id', 'flag', '--commands', 'F'], env)).toMatchObject({
      clientId: 'flag',
      commands: 'F',
      secret: { from: 'env', value: 'env-secret' },
    });
    expect(parseActivateOptions(['--client-secret', 'flag-secret'], env).secret).toEqual({
      from: 'flag',
      value: 'flag-secret',
    });
    expect(parseActivateOptions(['--client-secret-stdin'], env).secret).toEqual({ from: 'stdin' });
  });

  it('reads the output options', () => {
    expect(
      parseActivateOptions(
        ['--show-secret', '--namespace', 'erp', '--overlay', 'deploy/smartlink/prod/', '-h'],
        {},
      ),
    ).toMatchObject({
      help: true,
      showSecret: true,
      namespace: 'erp',
      overlay: 'deploy/smartlink/prod',
    });
  });

  it.each([
    [['--unknown'], "Unknown option '--unknown'"],
    [['--client-id'], "Option '--client-id <value>' argument missing"],
    [['--namespace', 'Not_A_Namespace'], '--namespace: not a Kubernetes namespace'],
    [['--overlay', 'my overlay'], '--overlay: a directory path'],
    [['--overlay', '$(rm -rf ~)'], '--overlay: a directory path'],
    [['--secret-name', 'other'], "Unknown option '--secret-name'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseActivateOptions(argv, {})).toThrow(CliUsageError);
    expect(() => parseActivateOptions(argv, {})).toThrow(message);
  });

  it('never repeats a stray argument, which may be a secret typed in the wrong place', () => {
    expect(() => parseActivateOptions(['--client-id', 'c', 'hunter2'], {})).toThrow(
      /^unexpected argument: every value follows its option/,
    );
    const thrown = thrownBy(() => parseActivateOptions(['hunter2'], {}));
    expect(thrown).toBeInstanceOf(CliUsageError);
    expect(String(thrown)).not.toContain('hunter2');
  });
});

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
