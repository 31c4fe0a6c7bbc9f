import type { SecretValue } from '@smartlink/common';
import { shellQuote } from '../output/shell-quote';

/** The env var of the client secret: the name the services read, and the shell variable the kubectl line expands. */
const SECRET_KEY = 'SMARTLINK_CLIENT_SECRET';

/** What an activation established, and where the services' settings go. */
export interface Activation {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: SecretValue;
  /** The commands set up on the tenant queue, in order. */
  readonly subscriptions: readonly string[];
  /**
   * The non-secret settings the services need, env var name to value, in print order: SMARTLINK_RAC_URL,
   * SMARTLINK_API_URL, SMARTLINK_SUBSCRIPTIONS and any other SMARTLINK_* setting the activation ran with.
   */
  readonly settings: readonly (readonly [string, string])[];
}

/** How to print it. */
export interface ActivationReportOptions {
  /** Print the client secret in the Secret's contents; the kubectl command never holds it. */
  readonly showSecret: boolean;
  readonly secretName: string;
  readonly configMapName: string;
  readonly namespace: string | undefined;
}

/**
 * The report the wizard ends with: the tenant, what goes into the Kubernetes Secret and ConfigMap (the env var names
 * the services read), and kubectl commands that create or update both. The secret shows as a placeholder unless
 * `showSecret`; in the kubectl command it is always the shell variable `$SMARTLINK_CLIENT_SECRET`, so the command can
 * be pasted without the secret landing in shell history.
 */
export function formatActivationReport(activation: Activation, options: ActivationReportOptions): string {
  const secretEntries: [string, string][] = [
    ['SMARTLINK_CLIENT_ID', activation.clientId],
    [
      SECRET_KEY,
      options.showSecret ? activation.clientSecret.reveal() : '<redacted: --show-secret prints it>',
    ],
  ];
  const namespace = options.namespace === undefined ? '' : ` --namespace ${options.namespace}`;
  const apply = `--dry-run=client -o yaml | kubectl apply${namespace} -f -`;
  const literal = (key: string, value: string) => `    --from-literal=${key}=${shellQuote(value)} \\`;
  return [
    `Activated: tenant ${activation.tenantId}`,
    `The tenant queue is set up with ${activation.subscriptions.length} command(s): ${activation.subscriptions.join(', ')}`,
    '',
    `Kubernetes Secret ${options.secretName} (env vars the poller and executor read):`,
    ...secretEntries.map(([key, value]) => `  ${key}=${value}`),
    '',
    `Kubernetes ConfigMap ${options.configMapName}:`,
    ...activation.settings.map(([key, value]) => `  ${key}=${value}`),
    '',
    `To create or update both, with the clientSecret in $${SECRET_KEY} (e.g. read -rs ${SECRET_KEY}; export ${SECRET_KEY}):`,
    '',
    `  kubectl create secret generic ${options.secretName}${namespace} \\`,
    literal('SMARTLINK_CLIENT_ID', activation.clientId),
    `    --from-literal=${SECRET_KEY}="$${SECRET_KEY}" \\`,
    `    ${apply}`,
    `  kubectl create configmap ${options.configMapName}${namespace} \\`,
    ...activation.settings.map(([key, value]) => literal(key, value)),
    `    ${apply}`,
    '',
    `Then give each service both through envFrom (secretRef: ${options.secretName}, configMapRef: ${options.configMapName}).`,
    '',
  ].join('\n');
}
