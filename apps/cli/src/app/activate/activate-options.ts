import { KubernetesSettingsObjects, type SettingsSource } from '@smartlink/common';
import { parseCliArgs } from '../cli-args';
import { CliUsageError } from '../cli-usage-error';

/**
 * Where the wizard points when neither a flag nor the environment says: TOTVS production, the hosts the settings'
 * own descriptions give (SMARTLINK_RAC_URL, SMARTLINK_API_URL; smartlink-domain.md §1.2).
 */
export const ActivateDefaults = {
  racUrl: 'https://admin.rac.totvs.app',
  apiUrl: 'https://link.totvs.app/api/v1',
  namespace: KubernetesSettingsObjects.namespace,
  overlay: KubernetesSettingsObjects.siteOverlay,
} as const;

/** Where the client secret comes from, in the order the wizard looks. */
export type SecretSource =
  | { readonly from: 'stdin' }
  | { readonly from: 'flag' | 'env'; readonly value: string }
  | { readonly from: 'prompt' };

/** The activate command line, read together with the environment; what is still missing is asked for later. */
export interface ActivateOptions {
  readonly help: boolean;
  /** `--client-id`, else SMARTLINK_CLIENT_ID; asked when unset. */
  readonly clientId: string | undefined;
  readonly secret: SecretSource;
  /** `--commands`, else SMARTLINK_SUBSCRIPTIONS (the poller's setting); asked when unset. */
  readonly commands: string | undefined;
  readonly racUrl: string;
  readonly apiUrl: string;
  readonly showSecret: boolean;
  readonly namespace: string;
  readonly overlay: string;
}

export const ACTIVATE_USAGE = `Activates this Smart Link Client for a tenant, like RM's "Ativação Totvs Apps" wizard: checks the clientId and
clientSecret TOTVS provisioning sent against RAC, shows the tenant, sets up the tenant queue with the commands to
subscribe, and prints the Kubernetes Secret and ConfigMaps the manifests (docker/k8s) read, with the steps to put
them in place.

Usage: npm run cli -- activate [options]

  --client-id <id>          the clientId (SMARTLINK_CLIENT_ID); asked on a terminal when unset
  --client-secret-stdin     read the clientSecret from standard input
  --client-secret <secret>  the clientSecret; other users can see it in the process list, so prefer
                            SMARTLINK_CLIENT_SECRET, --client-secret-stdin or the prompt (no echo)
  --commands <A,B,...>      every command the tenant queue subscribes to (SMARTLINK_SUBSCRIPTIONS); asked when unset
  --rac-url <url>           RAC host (SMARTLINK_RAC_URL; default ${ActivateDefaults.racUrl})
  --api-url <url>           link API base (SMARTLINK_API_URL; default ${ActivateDefaults.apiUrl})
  --namespace <namespace>   the namespace of the Secret (default ${ActivateDefaults.namespace}, the manifests' one)
  --overlay <dir>           the kustomize overlay to write the ConfigMaps' env files into
                            (default ${ActivateDefaults.overlay})
  --show-secret             print the clientSecret in the Secret's contents (the kubectl command never holds it)
  -h, --help                this text

The other SMARTLINK_* settings (SMARTLINK_HTTP_TIMEOUT_MS, SMARTLINK_TLS_*) are read from the environment as the
services read them.

Exit codes: 0 activated, 1 failed, 2 bad usage, 3 credentials refused, 4 cloud unreachable (try again), 130 cancelled.`;

/** Kubernetes namespaces (RFC 1123 label). */
const K8S_NAMESPACE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The overlay path goes unquoted into the printed shell commands. */
const SHELL_SAFE_PATH = /^[A-Za-z0-9._/-]+$/;

const unsetIfEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** Reads the activate command line and the environment; throws {@link CliUsageError} for a wrong command line. */
export function parseActivateOptions(argv: readonly string[], env: SettingsSource): ActivateOptions {
  const values = readArgs(argv);
  if (values['client-secret'] !== undefined && values['client-secret-stdin']) {
    throw new CliUsageError('give the clientSecret once: --client-secret or --client-secret-stdin');
  }
  if (values.namespace !== undefined && !K8S_NAMESPACE.test(values.namespace)) {
    throw new CliUsageError('--namespace: not a Kubernetes namespace (lower case letters, digits and -)');
  }
  if (values.overlay !== undefined && !SHELL_SAFE_PATH.test(values.overlay)) {
    throw new CliUsageError('--overlay: a directory path of letters, digits and . _ - / only');
  }
  const envSecret = unsetIfEmpty(env['SMARTLINK_CLIENT_SECRET']);
  let secret: SecretSource;
  if (values['client-secret-stdin']) secret = { from: 'stdin' };
  else if (values['client-secret'] !== undefined) secret = { from: 'flag', value: values['client-secret'] };
  else if (envSecret !== undefined) secret = { from: 'env', value: envSecret };
  else secret = { from: 'prompt' };
  return {
    help: values.help ?? false,
    clientId: unsetIfEmpty(values['client-id']?.trim() ?? env['SMARTLINK_CLIENT_ID']?.trim()),
    secret,
    commands: unsetIfEmpty(values.commands ?? env['SMARTLINK_SUBSCRIPTIONS']),
    racUrl: unsetIfEmpty(values['rac-url'] ?? env['SMARTLINK_RAC_URL']) ?? ActivateDefaults.racUrl,
    apiUrl: unsetIfEmpty(values['api-url'] ?? env['SMARTLINK_API_URL']) ?? ActivateDefaults.apiUrl,
    showSecret: values['show-secret'] ?? false,
    namespace: values.namespace ?? ActivateDefaults.namespace,
    overlay: (values.overlay ?? ActivateDefaults.overlay).replace(/\/+$/, ''),
  };
}

function readArgs(argv: readonly string[]) {
  return parseCliArgs(argv, {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'client-secret-stdin': { type: 'boolean' },
    commands: { type: 'string' },
    'rac-url': { type: 'string' },
    'api-url': { type: 'string' },
    namespace: { type: 'string' },
    overlay: { type: 'string' },
    'show-secret': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
}
