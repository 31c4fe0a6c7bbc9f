import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimProcess, freePort, type SimClient } from '@smartlink/testing';
import { runCliProcess } from './support/cli-process';
import { followPrintedSteps, type AppliedObject } from './support/printed-steps';
import { TerminalSession } from './support/terminal-session';

const WORKSPACE = join(__dirname, '..', '..', '..');

const CLIENT: SimClient = {
  clientId: 'cli-it',
  clientSecret: 'cli-it-secret-never-in-output',
  tenantId: '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b',
};

// The wizard as an operator runs it: the built CLI as a process, the simulator as the cloud.
describe('cli activate against the simulated cloud', () => {
  let sim: SimProcess;

  beforeAll(async () => {
    sim = await SimProcess.start(CLIENT);
  });

  afterAll(async () => {
    await sim?.stop();
  });

  const cloudEnv = () => ({ SMARTLINK_RAC_URL: sim.url, SMARTLINK_API_URL: `${sim.url}/api/v1` });
  const setupCalls = async () => (await sim.stats()).http.requests['setup'] ?? 0;

  it('with good credentials shows the tenant, and the cloud has the queue set up with the commands', async () => {
    const run = await runCliProcess(['activate', '--commands', 'CliOne,CliTwo'], {
      env: {
        ...cloudEnv(),
        SMARTLINK_CLIENT_ID: CLIENT.clientId,
        SMARTLINK_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Activated: tenant ${CLIENT.tenantId}`);
    expect(run.stdout).toContain(`SMARTLINK_RAC_URL=${sim.url}\n`);
    expect(run.stdout).toContain('SMARTLINK_SUBSCRIPTIONS=CliOne,CliTwo\n');
    expect(run.stdout).toContain('--from-literal=SMARTLINK_CLIENT_SECRET="$SMARTLINK_CLIENT_SECRET" \\');
    expect(run.stdout + run.stderr).not.toContain(CLIENT.clientSecret);
    const tenant = await sim.tenantStats(CLIENT.tenantId);
    expect(tenant?.setUp).toBe(true);
    expect([...(tenant?.subscriptions ?? [])].sort()).toEqual(['CliOne', 'CliTwo']);
  });

  it('prints steps that, followed as printed, give every pod of the site overlay what it reads', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'smartlink-activate-'));
    try {
      cpSync(join(WORKSPACE, 'docker', 'k8s'), join(workDir, 'k8s'), { recursive: true });
      const overlay = join(workDir, 'k8s', 'site');
      const run = await runCliProcess(['activate', '--commands', 'CliOne,CliTwo', '--overlay', overlay], {
        env: {
          ...cloudEnv(),
          SMARTLINK_CLIENT_ID: CLIENT.clientId,
          SMARTLINK_CLIENT_SECRET: CLIENT.clientSecret,
        },
      });
      expect(run.code).toBe(0);
      const secrets: Record<string, string> = {
        SMARTLINK_CLIENT_SECRET: CLIENT.clientSecret,
        DB_PASSWORD: 'the-database-password-of-the-int-spec',
        REDRIVE_HTTP_TOKEN: 'the-redrive-token-of-the-int-spec',
      };

      const applied = followPrintedSteps(run.stdout, workDir, secrets);

      const secret = applied.find((o) => o.kind === 'Secret');
      const deployments = applied.filter((o) => o.kind === 'Deployment');
      const configMap = (name: string) =>
        applied.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
        'executor',
        'log-writer',
        'poller',
        'retry-scheduler',
      ]);
      const unresolved = deployments.flatMap((d) =>
        (d.spec?.template?.spec.containers ?? []).flatMap((c) => [
          ...(c.env ?? []).flatMap((e) => {
            const ref = e.valueFrom?.secretKeyRef;
            if (!ref) return [];
            const value = secret?.data?.[ref.key];
            const resolved =
              ref.name === secret?.metadata.name &&
              d.metadata.namespace === secret.metadata.namespace &&
              value !== undefined &&
              Buffer.from(value, 'base64').toString() === secrets[ref.key];
            return resolved ? [] : [`${d.metadata.name}: Secret ${ref.name} key ${ref.key}`];
          }),
          ...(c.envFrom ?? []).flatMap((e) =>
            e.configMapRef && !configMap(e.configMapRef.name)
              ? [`${d.metadata.name}: ConfigMap ${e.configMapRef.name}`]
              : [],
          ),
        ]),
      );
      expect(unresolved).toEqual([]);

      const poller = deployments.find((d) => d.metadata.name === 'poller') as AppliedObject;
      const settings = Object.assign(
        {},
        ...(poller.spec?.template?.spec.containers[0]?.envFrom ?? []).map(
          (e) => configMap(e.configMapRef?.name ?? '')?.data,
        ),
      ) as Record<string, string>;
      expect(settings).toMatchObject({
        SMARTLINK_RAC_URL: sim.url,
        SMARTLINK_API_URL: `${sim.url}/api/v1`,
        SMARTLINK_CLIENT_ID: CLIENT.clientId,
        SMARTLINK_SUBSCRIPTIONS: 'CliOne,CliTwo',
      });
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it('takes the secret from standard input with --client-secret-stdin', async () => {
    const run = await runCliProcess(
      ['activate', '--client-id', CLIENT.clientId, '--client-secret-stdin', '--commands', 'CliStdin'],
      { env: cloudEnv(), stdin: `${CLIENT.clientSecret}\n` },
    );
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(CLIENT.clientSecret);
    expect((await sim.tenantStats(CLIENT.tenantId))?.subscriptions).toEqual(['CliStdin']);
  });

  it('prints the secret once, in the Secret contents, only with --show-secret', async () => {
    const run = await runCliProcess(['activate', '--commands', 'CliOne', '--show-secret'], {
      env: {
        ...cloudEnv(),
        SMARTLINK_CLIENT_ID: CLIENT.clientId,
        SMARTLINK_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
    expect(run.code).toBe(0);
    expect(run.stdout.split(CLIENT.clientSecret)).toHaveLength(2);
    expect(run.stdout).toContain(`  SMARTLINK_CLIENT_SECRET=${CLIENT.clientSecret}\n`);
    expect(run.stderr).not.toContain(CLIENT.clientSecret);
  });

  it('with a wrong secret exits 3 with a clear message, no stack trace, and sets nothing up', async () => {
    const before = await setupCalls();
    const wrong = 'a-wrong-secret-never-in-output';
    const run = await runCliProcess(['activate', '--commands', 'CliOne'], {
      env: { ...cloudEnv(), SMARTLINK_CLIENT_ID: CLIENT.clientId, SMARTLINK_CLIENT_SECRET: wrong },
    });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `RAC at ${sim.url} refused the credentials of client "${CLIENT.clientId}" (invalid_client).`,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(await setupCalls()).toBe(before);
  });

  it('exits 4 when RAC cannot be reached', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const run = await runCliProcess(['activate', '--commands', 'CliOne', '--rac-url', nobody], {
      env: {
        ...cloudEnv(),
        SMARTLINK_CLIENT_ID: CLIENT.clientId,
        SMARTLINK_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`Could not reach RAC at ${nobody}`);
    expect(run.stdout + run.stderr).not.toContain(CLIENT.clientSecret);
  });

  it('exits 2 without a terminal to ask the missing secret on', async () => {
    const run = await runCliProcess(['activate', '--client-id', CLIENT.clientId, '--commands', 'CliOne'], {
      env: cloudEnv(),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^no clientSecret: pass SMARTLINK_CLIENT_SECRET or --client-secret-stdin/);
  });

  it('on a terminal asks for what is missing and never displays the secret typed', async () => {
    const session = TerminalSession.start(['activate'], cloudEnv());
    await session.answer('Client ID: ', CLIENT.clientId);
    await session.answer('Client secret (not shown): ', CLIENT.clientSecret);
    await session.answer('Commands to subscribe', 'CliTerminal');

    expect(await session.exit()).toBe(0);
    expect(session.output).toContain(`Activated: tenant ${CLIENT.tenantId}`);
    expect(session.output).toContain(CLIENT.clientId);
    expect(session.output).not.toContain(CLIENT.clientSecret);
    expect((await sim.tenantStats(CLIENT.tenantId))?.subscriptions).toEqual(['CliTerminal']);
  });
});
