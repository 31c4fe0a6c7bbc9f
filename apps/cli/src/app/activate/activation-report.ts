import { KubernetesSettingsObjects, type KubernetesSecretKey, type SecretValue } from '@smartlink/common';

const K8S = KubernetesSettingsObjects;

/** What goes in each key of the Secret; the kubectl command takes each from a shell variable of the key's name. */
const SECRET_VALUE_HINTS: Record<KubernetesSecretKey, string> = {
  SMARTLINK_CLIENT_SECRET: 'the clientSecret just checked',
  DB_PASSWORD: 'the password of DB_USER, the login of the RM database',
  REDRIVE_HTTP_TOKEN: 'a token of 16 or more characters for POST /redrive, e.g. $(openssl rand -hex 32)',
};

/** What an activation established, and what the services need to run with it. */
export interface Activation {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: SecretValue;
  /** The commands set up on the tenant queue, in order. */
  readonly subscriptions: readonly string[];
  /**
   * The cloud settings, env var name to value, in print order: SMARTLINK_RAC_URL, SMARTLINK_API_URL,
   * SMARTLINK_CLIENT_ID and any other SMARTLINK_* setting the activation ran with.
   */
  readonly cloud: readonly (readonly [string, string])[];
}

/** How to print it. */
export interface ActivationReportOptions {
  /** Print the client secret in the Secret's contents; the kubectl command never holds it. */
  readonly showSecret: boolean;
  /** The namespace of the Secret; the overlay's namespace unless told otherwise. */
  readonly namespace: string;
  /** The kustomize overlay whose env files the ConfigMaps are generated from. */
  readonly overlay: string;
}

/**
 * The report the wizard ends with: the tenant, then the Secret and the ConfigMaps the manifests read
 * ({@link KubernetesSettingsObjects}: the same names and keys), and the steps that put them in place: a kubectl
 * command for the Secret that takes every value from a shell variable of the key's name, so no secret lands in the
 * command or the shell history; the env files of the overlay's ConfigMaps as shell here-documents; the apply.
 * The client secret shows as a placeholder unless `showSecret`.
 */
export function formatActivationReport(activation: Activation, options: ActivationReportOptions): string {
  const { secret, configMaps } = K8S;
  const cloudFile = `${options.overlay}/${configMaps.cloud.envFile}`;
  const pollerFile = `${options.overlay}/${configMaps.poller.envFile}`;
  const poller: (readonly [string, string])[] = [
    ['SMARTLINK_SUBSCRIPTIONS', activation.subscriptions.join(',')],
  ];
  const shown = (key: KubernetesSecretKey) =>
    key !== 'SMARTLINK_CLIENT_SECRET'
      ? `<${SECRET_VALUE_HINTS[key]}>`
      : options.showSecret
        ? activation.clientSecret.reveal()
        : '<redacted: --show-secret prints it>';
  const entries = (pairs: readonly (readonly [string, string])[]) =>
    pairs.map(([key, value]) => `${key}=${value}`);
  const hereDoc = (file: string, pairs: readonly (readonly [string, string])[]) => [
    `cat > ${file} <<'EOF'`,
    ...entries(pairs),
    'EOF',
  ];
  const namespace = `--namespace ${options.namespace}`;
  return [
    `Activated: tenant ${activation.tenantId}`,
    `The tenant queue is set up with ${activation.subscriptions.length} command(s): ${activation.subscriptions.join(', ')}`,
    '',
    `Kubernetes Secret ${secret.name} (namespace ${options.namespace}):`,
    ...secret.keys.map((key) => `  ${key}=${shown(key)}`),
    '',
    `ConfigMap ${configMaps.cloud.name}, generated from ${cloudFile}:`,
    ...entries(activation.cloud).map((line) => `  ${line}`),
    `ConfigMap ${configMaps.poller.name}, generated from ${pollerFile}:`,
    ...entries(poller).map((line) => `  ${line}`),
    '',
    `1. Create the Secret, with each value in a shell variable of the key's name (e.g. read -rs DB_PASSWORD; export DB_PASSWORD):`,
    '',
    `kubectl create namespace ${options.namespace} --dry-run=client -o yaml | kubectl apply -f -`,
    `kubectl create secret generic ${secret.name} ${namespace} \\`,
    ...secret.keys.map((key) => `  --from-literal=${key}="$${key}" \\`),
    `  --dry-run=client -o yaml | kubectl apply ${namespace} -f -`,
    '',
    `2. Write the ConfigMaps' settings into the overlay, from the repository's root:`,
    '',
    ...hereDoc(cloudFile, activation.cloud),
    ...hereDoc(pollerFile, poller),
    '',
    `3. Set your registry, Kafka and database in ${options.overlay} (kustomization.yaml, client.env), then:`,
    '',
    `kubectl apply -k ${options.overlay}`,
    '',
  ].join('\n');
}
