import { KubernetesSettingsObjects, SecretValue } from '@smartlink/common';
import { formatActivationReport, type Activation, type ActivationReportOptions } from './activation-report';

const SECRET = "s3cr3t-with-'quote";

const activation: Activation = {
  tenantId: 'tenant-1',
  clientId: "client o'brien",
  clientSecret: new SecretValue(SECRET),
  subscriptions: ['A', 'B'],
  cloud: [
    ['SMARTLINK_RAC_URL', 'https://admin.rac.totvs.app'],
    ['SMARTLINK_API_URL', 'https://link.totvs.app/api/v1'],
    ['SMARTLINK_CLIENT_ID', "client o'brien"],
    ['SMARTLINK_HTTP_TIMEOUT_MS', '5000'],
  ],
};

const options: ActivationReportOptions = {
  showSecret: false,
  namespace: 'smartlink',
  overlay: 'docker/k8s/site',
};

/** The env files the report writes, from its here-documents: file → the keys and values in it. */
function envFiles(report: string): Map<string, Map<string, string>> {
  const files = new Map<string, Map<string, string>>();
  for (const match of report.matchAll(/^cat > (\S+) <<'EOF'\n([\s\S]*?)^EOF$/gm)) {
    const lines = (match[2] as string).split('\n').filter((line) => line !== '');
    files.set(
      match[1] as string,
      new Map(lines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string])),
    );
  }
  return files;
}

/** The Secret the report's kubectl command creates: its name, namespace and keys. */
function secretCommand(report: string) {
  const command =
    /^kubectl create secret generic (\S+) --namespace (\S+) \\\n((?: {2}--from-literal=.*\\\n)+)/m.exec(
      report,
    );
  return {
    name: command?.[1],
    namespace: command?.[2],
    literals: [...(command?.[3] ?? '').matchAll(/--from-literal=(\w+)=(.*) \\/g)].map((m) => [m[1], m[2]]),
  };
}

describe('formatActivationReport', () => {
  const K8S = KubernetesSettingsObjects;

  describe('holds to the Secret and ConfigMaps the manifests read', () => {
    const report = formatActivationReport(activation, options);

    it('creates the Secret by its name, in the manifests’ namespace, with every key, each from its shell variable', () => {
      const secret = secretCommand(report);
      expect(secret).toEqual({
        name: K8S.secret.name,
        namespace: K8S.namespace,
        literals: K8S.secret.keys.map((key) => [key, `"$${key}"`]),
      });
    });

    it('writes the env files the overlay generates the ConfigMaps from, with every key activate knows', () => {
      const files = envFiles(report);
      const cloud = files.get(`docker/k8s/site/${K8S.configMaps.cloud.envFile}`);
      const poller = files.get(`docker/k8s/site/${K8S.configMaps.poller.envFile}`);
      expect([...files.keys()]).toHaveLength(2);
      expect([...(cloud?.keys() ?? [])]).toEqual([...K8S.configMaps.cloud.keys, 'SMARTLINK_HTTP_TIMEOUT_MS']);
      expect([...(poller?.keys() ?? [])]).toEqual([...K8S.configMaps.poller.keys]);
      expect(cloud?.get('SMARTLINK_CLIENT_ID')).toBe("client o'brien");
      expect(poller?.get('SMARTLINK_SUBSCRIPTIONS')).toBe('A,B');
    });

    it('names each object as the manifests do', () => {
      expect(report).toContain(`Kubernetes Secret ${K8S.secret.name} (namespace smartlink):`);
      expect(report).toContain(
        `ConfigMap ${K8S.configMaps.cloud.name}, generated from docker/k8s/site/cloud.env:`,
      );
      expect(report).toContain(
        `ConfigMap ${K8S.configMaps.poller.name}, generated from docker/k8s/site/poller.env:`,
      );
      expect(report).toContain('\nkubectl apply -k docker/k8s/site\n');
    });
  });

  it('lists the Secret with the client secret redacted and says what goes in the other keys', () => {
    const report = formatActivationReport(activation, options);
    expect(report).toContain(
      [
        'Kubernetes Secret smartlink-secrets (namespace smartlink):',
        '  SMARTLINK_CLIENT_SECRET=<redacted: --show-secret prints it>',
        '  DB_PASSWORD=<the password of DB_USER, the login of the RM database>',
        '  REDRIVE_HTTP_TOKEN=<a token of 16 or more characters for POST /redrive, e.g. $(openssl rand -hex 32)>',
      ].join('\n'),
    );
    expect(report).not.toContain(SECRET);
  });

  it('shows the secret only in the Secret contents with showSecret, never in a command', () => {
    const report = formatActivationReport(activation, { ...options, showSecret: true });
    expect(report).toContain(`  SMARTLINK_CLIENT_SECRET=${SECRET}\n`);
    expect(report.split(SECRET)).toHaveLength(2);
    expect(secretCommand(report).literals).toContainEqual([
      'SMARTLINK_CLIENT_SECRET',
      '"$SMARTLINK_CLIENT_SECRET"',
    ]);
  });

  it('takes another namespace and overlay', () => {
    const report = formatActivationReport(activation, {
      ...options,
      namespace: 'erp',
      overlay: 'deploy/prod',
    });
    expect(secretCommand(report)).toMatchObject({ name: K8S.secret.name, namespace: 'erp' });
    expect(report).toContain('--dry-run=client -o yaml | kubectl apply --namespace erp -f -');
    expect([...envFiles(report).keys()]).toEqual(['deploy/prod/cloud.env', 'deploy/prod/poller.env']);
    expect(report).toContain('\nkubectl apply -k deploy/prod\n');
  });

  it('names the tenant and the commands set up first', () => {
    expect(formatActivationReport(activation, options).split('\n').slice(0, 2)).toEqual([
      'Activated: tenant tenant-1',
      'The tenant queue is set up with 2 command(s): A, B',
    ]);
  });
});
