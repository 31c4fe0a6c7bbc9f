import { SecretValue } from '@smartlink/common';
import { formatActivationReport, type Activation, type ActivationReportOptions } from './activation-report';

const SECRET = "s3cr3t-with-'quote";

const activation: Activation = {
  tenantId: 'tenant-1',
  clientId: "client o'brien",
  clientSecret: new SecretValue(SECRET),
  subscriptions: ['A', 'B'],
  settings: [
    ['SMARTLINK_RAC_URL', 'https://admin.rac.totvs.app'],
    ['SMARTLINK_API_URL', 'https://link.totvs.app/api/v1'],
    ['SMARTLINK_SUBSCRIPTIONS', 'A,B'],
    ['SMARTLINK_HTTP_TIMEOUT_MS', '5000'],
  ],
};

const options: ActivationReportOptions = {
  showSecret: false,
  secretName: 'smartlink-credentials',
  configMapName: 'smartlink-settings',
  namespace: undefined,
};

describe('formatActivationReport', () => {
  it('lists the Secret with the secret redacted and the ConfigMap with every setting', () => {
    const report = formatActivationReport(activation, options);
    expect(report).toContain(
      [
        'Kubernetes Secret smartlink-credentials (env vars the poller and executor read):',
        "  SMARTLINK_CLIENT_ID=client o'brien",
        '  SMARTLINK_CLIENT_SECRET=<redacted: --show-secret prints it>',
        '',
        'Kubernetes ConfigMap smartlink-settings:',
        '  SMARTLINK_RAC_URL=https://admin.rac.totvs.app',
        '  SMARTLINK_API_URL=https://link.totvs.app/api/v1',
        '  SMARTLINK_SUBSCRIPTIONS=A,B',
        '  SMARTLINK_HTTP_TIMEOUT_MS=5000',
      ].join('\n'),
    );
    expect(report).not.toContain(SECRET);
  });

  it('prints kubectl commands that take the secret from a shell variable and quote the rest', () => {
    const report = formatActivationReport(activation, options);
    expect(report).toContain(
      [
        '  kubectl create secret generic smartlink-credentials \\',
        `    --from-literal=SMARTLINK_CLIENT_ID='client o'\\''brien' \\`,
        '    --from-literal=SMARTLINK_CLIENT_SECRET="$SMARTLINK_CLIENT_SECRET" \\',
        '    --dry-run=client -o yaml | kubectl apply -f -',
        '  kubectl create configmap smartlink-settings \\',
        '    --from-literal=SMARTLINK_RAC_URL=https://admin.rac.totvs.app \\',
        '    --from-literal=SMARTLINK_API_URL=https://link.totvs.app/api/v1 \\',
        '    --from-literal=SMARTLINK_SUBSCRIPTIONS=A,B \\',
        '    --from-literal=SMARTLINK_HTTP_TIMEOUT_MS=5000 \\',
        '    --dry-run=client -o yaml | kubectl apply -f -',
      ].join('\n'),
    );
  });

  it('shows the secret only in the Secret contents with showSecret', () => {
    const report = formatActivationReport(activation, { ...options, showSecret: true });
    expect(report).toContain(`  SMARTLINK_CLIENT_SECRET=${SECRET}\n`);
    expect(report.split(SECRET)).toHaveLength(2);
  });

  it('puts the namespace on both sides of each pipe', () => {
    const report = formatActivationReport(activation, { ...options, namespace: 'smartlink' });
    expect(report).toContain('kubectl create secret generic smartlink-credentials --namespace smartlink \\');
    expect(report).toContain('kubectl create configmap smartlink-settings --namespace smartlink \\');
    expect(report).toContain('--dry-run=client -o yaml | kubectl apply --namespace smartlink -f -');
  });

  it('names the tenant and the commands set up first', () => {
    expect(formatActivationReport(activation, options).split('\n').slice(0, 2)).toEqual([
      'Activated: tenant tenant-1',
      'The tenant queue is set up with 2 command(s): A, B',
    ]);
  });
});
