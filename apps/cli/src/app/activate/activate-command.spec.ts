import {
  AuthenticationFailedError,
  SmartLinkNetworkError,
  SmartLinkRejectedError,
  type SetupResult,
  type SmartLinkSettings,
  type SmartLinkTransport,
} from '@smartlink/contract';
import { cliIoDouble, type IoDoubleOptions } from '../../../test/support/cli-io-double';
import { CliExitCode } from '../cli-exit-code';
import { PromptCancelledError } from '../prompt/prompt-cancelled-error';
import { runActivate } from './activate-command';

const TENANT = '5b0c6e0e-3f4a-4d2b-9c8e-2a1f0d9e7c61';
const SECRET = 'the-client-secret-never-shown';

/** The cloud as the wizard sees it: a typed double of the transport, recording the settings it was built with. */
class CloudDouble implements SmartLinkTransport {
  settings: SmartLinkSettings | null = null;
  readonly setups: string[][] = [];
  closed = false;

  constructor(private readonly failure: { tenant?: Error; setup?: Error } = {}) {}

  readonly connect = (settings: SmartLinkSettings): SmartLinkTransport => {
    this.settings = settings;
    return this;
  };

  async tenantId(): Promise<string> {
    if (this.failure.tenant) throw this.failure.tenant;
    return TENANT;
  }

  async setup(subscriptions: readonly string[]): Promise<SetupResult> {
    this.setups.push([...subscriptions]);
    if (this.failure.setup) throw this.failure.setup;
    return { tenantId: TENANT, subscriptions };
  }

  get(): never {
    throw new Error('the wizard never gets messages');
  }

  ack(): never {
    throw new Error('the wizard never acks');
  }

  send(): never {
    throw new Error('the wizard never sends');
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

async function activate(
  argv: string[],
  env: Record<string, string> = {},
  ioOptions: IoDoubleOptions = {},
  cloud = new CloudDouble(),
) {
  const { io, recorded } = cliIoDouble(ioOptions);
  const code = await runActivate(argv, env, io, cloud.connect);
  return { code, cloud, ...recorded };
}

const fromEnv = {
  SMARTLINK_CLIENT_ID: 'client-1',
  SMARTLINK_CLIENT_SECRET: SECRET,
  SMARTLINK_SUBSCRIPTIONS: 'HrEmployeeUpdated, FinTitlePaid,HrEmployeeUpdated',
};

describe('activate', () => {
  describe('with the credentials and commands in the environment', () => {
    it('checks them, sets up the commands, shows the tenant and prints the Secret and ConfigMap', async () => {
      const result = await activate([], fromEnv);

      expect(result.code).toBe(CliExitCode.Ok);
      expect(result.cloud.setups).toEqual([['HrEmployeeUpdated', 'FinTitlePaid']]);
      expect(result.cloud.closed).toBe(true);
      expect(result.stderr).toContain(`RAC accepted the credentials: tenant ${TENANT}`);
      expect(result.stdout).toContain(`Activated: tenant ${TENANT}`);
      expect(result.stdout).toContain('SMARTLINK_CLIENT_ID=client-1\n');
      expect(result.stdout).toContain('SMARTLINK_SUBSCRIPTIONS=HrEmployeeUpdated,FinTitlePaid\n');
      expect(result.questions).toEqual([]);
    });

    it('talks to TOTVS production unless told otherwise, with the secret it was given', async () => {
      const { cloud } = await activate([], fromEnv);
      expect(cloud.settings).toMatchObject({
        SMARTLINK_RAC_URL: 'https://admin.rac.totvs.app',
        SMARTLINK_API_URL: 'https://link.totvs.app/api/v1',
        SMARTLINK_CLIENT_ID: 'client-1',
      });
      expect(cloud.settings?.SMARTLINK_CLIENT_SECRET.reveal()).toBe(SECRET);
    });

    it('writes the other Smart Link settings it ran with into the cloud env file', async () => {
      const result = await activate([], { ...fromEnv, SMARTLINK_HTTP_TIMEOUT_MS: '5000' });
      expect(result.stdout).toContain(
        [
          "cat > docker/k8s/site/cloud.env <<'EOF'",
          'SMARTLINK_RAC_URL=https://admin.rac.totvs.app',
          'SMARTLINK_API_URL=https://link.totvs.app/api/v1',
          'SMARTLINK_CLIENT_ID=client-1',
          'SMARTLINK_HTTP_TIMEOUT_MS=5000',
          'EOF',
        ].join('\n'),
      );
    });

    it('refuses a setting that would span lines of the env file, before talking to the cloud', async () => {
      const result = await activate([], { ...fromEnv, SMARTLINK_TLS_CA_FILE: '/etc/ca.pem\nX=injected' });
      expect(result.code).toBe(CliExitCode.Usage);
      expect(result.stderr).toMatch(/^SMARTLINK_TLS_CA_FILE: a value on one line/);
      expect(result.cloud.settings).toBeNull();
    });

    it('never prints the secret', async () => {
      const result = await activate([], fromEnv);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      expect(result.stdout).toContain('SMARTLINK_CLIENT_SECRET=<redacted');
    });
  });

  it('takes flags over the environment', async () => {
    const { cloud } = await activate(
      [
        '--client-id',
        'from-flag',
        '--commands',
        'OnlyThis',
        '--rac-url',
        'https://admin.rac.staging.totvs.app/',
        '--api-url',
        'https://link.staging.totvs.app/api/v1',
      ],
      {
        ...fromEnv,
        SMARTLINK_RAC_URL: 'https://rac.example',
        SMARTLINK_API_URL: 'https://link.example/api/v1',
      },
    );
    expect(cloud.settings).toMatchObject({
      SMARTLINK_RAC_URL: 'https://admin.rac.staging.totvs.app',
      SMARTLINK_API_URL: 'https://link.staging.totvs.app/api/v1',
      SMARTLINK_CLIENT_ID: 'from-flag',
    });
    expect(cloud.setups).toEqual([['OnlyThis']]);
  });

  it('prints the secret in the Secret contents with --show-secret, never in the kubectl command', async () => {
    const result = await activate(['--show-secret'], fromEnv);
    expect(result.stdout).toContain(`  SMARTLINK_CLIENT_SECRET=${SECRET}\n`);
    expect(result.stdout.match(new RegExp(SECRET, 'g'))).toHaveLength(1);
    expect(result.stdout).toContain('--from-literal=SMARTLINK_CLIENT_SECRET="$SMARTLINK_CLIENT_SECRET"');
  });

  describe('on a terminal', () => {
    it('asks for what is missing, the secret without echo, and prints no secret', async () => {
      const result = await activate([], {}, { interactive: true, answers: ['client-1', SECRET, 'A,B'] });

      expect(result.code).toBe(CliExitCode.Ok);
      expect(result.questions).toEqual([
        'Client ID: ',
        'secret:Client secret (not shown): ',
        expect.stringMatching(/^Commands to subscribe/),
      ]);
      expect(result.cloud.settings?.SMARTLINK_CLIENT_SECRET.reveal()).toBe(SECRET);
      expect(result.cloud.setups).toEqual([['A', 'B']]);
      expect(result.stdout + result.stderr).not.toContain(SECRET);
    });

    it('exits 130 when the operator presses Ctrl-C, before talking to the cloud', async () => {
      const result = await activate(
        [],
        {},
        { interactive: true, answers: ['client-1', new PromptCancelledError()] },
      );
      expect(result.code).toBe(CliExitCode.Cancelled);
      expect(result.cloud.settings).toBeNull();
    });

    it('refuses an empty answer', async () => {
      const result = await activate([], {}, { interactive: true, answers: ['client-1', ''] });
      expect(result.code).toBe(CliExitCode.Usage);
      expect(result.stderr).toMatch(/^no clientSecret given/);
    });
  });

  describe('without a terminal', () => {
    it('says where to put a missing secret, asking nothing', async () => {
      const result = await activate(['--client-id', 'c', '--commands', 'A'], {}, { interactive: false });
      expect(result.code).toBe(CliExitCode.Usage);
      expect(result.stderr).toMatch(/^no clientSecret: /);
      expect(result.stderr).toContain('SMARTLINK_CLIENT_SECRET or --client-secret-stdin');
      expect(result.questions).toEqual([]);
    });

    it('says where to put missing commands', async () => {
      const result = await activate([], { ...fromEnv, SMARTLINK_SUBSCRIPTIONS: '' });
      expect(result.code).toBe(CliExitCode.Usage);
      expect(result.stderr).toContain('--commands A,B or SMARTLINK_SUBSCRIPTIONS');
    });
  });

  it('reads the secret from the first line of standard input with --client-secret-stdin, asking nothing', async () => {
    const result = await activate(
      ['--client-secret-stdin'],
      { ...fromEnv, SMARTLINK_CLIENT_SECRET: '' },
      { interactive: true, stdin: `${SECRET}\r\n` },
    );
    expect(result.code).toBe(CliExitCode.Ok);
    expect(result.cloud.settings?.SMARTLINK_CLIENT_SECRET.reveal()).toBe(SECRET);
    expect(result.questions).toEqual([]);
  });

  it('warns that a --client-secret value shows in the process list', async () => {
    const result = await activate(['--client-secret', SECRET], { ...fromEnv, SMARTLINK_CLIENT_SECRET: '' });
    expect(result.code).toBe(CliExitCode.Ok);
    expect(result.stderr).toContain('Warning: a --client-secret value can be seen by other users');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  describe('bad usage exits 2 before anything is asked or sent', () => {
    it.each([
      ['an unknown option', ['--tenant', 'x'], /Unknown option '--tenant'/],
      ['a stray argument', [SECRET], /^unexpected argument/],
      ['an illegal command name', ['--commands', 'ok,not ok'], /illegal command name: "not ok"/],
      ['two secrets', ['--client-secret', 'x', '--client-secret-stdin'], /give the clientSecret once/],
      [
        'a bad Kubernetes namespace',
        ['--namespace', 'Smart_Link'],
        /--namespace: not a Kubernetes namespace/,
      ],
      ['a RAC URL that is not http(s)', ['--rac-url', 'ftp://rac'], /SMARTLINK_RAC_URL/],
    ])('%s', async (_label, argv, message) => {
      const result = await activate(argv, fromEnv, { interactive: true, answers: [] });
      expect(result.code).toBe(CliExitCode.Usage);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('Run `activate --help`');
      expect(result.stderr).not.toContain(SECRET);
      expect(result.questions).toEqual([]);
      expect(result.cloud.settings).toBeNull();
    });
  });

  describe('when the cloud says no', () => {
    it('exits 3 with a clear message when RAC refuses the credentials, and sets nothing up', async () => {
      const cloud = new CloudDouble({ tenant: new AuthenticationFailedError(400, 'invalid_client') });
      const result = await activate([], fromEnv, {}, cloud);

      expect(result.code).toBe(CliExitCode.BadCredentials);
      expect(result.stderr).toContain(
        'RAC at https://admin.rac.totvs.app refused the credentials of client "client-1" (invalid_client)',
      );
      expect(result.stdout).toBe('');
      expect(cloud.setups).toEqual([]);
      expect(cloud.closed).toBe(true);
    });

    it('exits 4 when RAC cannot be reached', async () => {
      const cloud = new CloudDouble({ tenant: new SmartLinkNetworkError('token', 'ECONNREFUSED') });
      const result = await activate([], fromEnv, {}, cloud);
      expect(result.code).toBe(CliExitCode.Unreachable);
      expect(result.stderr).toContain('Could not reach RAC at https://admin.rac.totvs.app');
    });

    it('exits 1 when the link API refuses the setup', async () => {
      const cloud = new CloudDouble({ setup: new SmartLinkRejectedError('setup', 403) });
      const result = await activate([], fromEnv, {}, cloud);
      expect(result.code).toBe(CliExitCode.Failed);
      expect(result.stderr).toContain(
        'The setup of the tenant queue failed: the link API at https://link.totvs.app/api/v1 answered',
      );
      expect(result.stdout).toBe('');
    });
  });

  it('prints its usage on --help', async () => {
    const result = await activate(['--help']);
    expect(result.code).toBe(CliExitCode.Ok);
    expect(result.stdout).toMatch(/^Activates this Smart Link Client/);
    expect(result.stdout).toContain('Exit codes: 0 activated');
  });
});
