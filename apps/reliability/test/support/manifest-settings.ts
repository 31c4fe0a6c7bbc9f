import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Kubernetes manifests the replicas case runs like. */
const K8S_BASE = join(__dirname, '..', '..', '..', '..', 'docker', 'k8s', 'base');

/** How the manifests in docker/k8s/base set up the consumer groups of the services. */
export interface ManifestGroupSettings {
  /** KAFKA_CLIENT of client.env (the services' default, kafkajs, when absent). */
  readonly client: string;
  /** KAFKA_GROUP_PROTOCOL of client.env (classic when absent). */
  readonly protocol: string;
  /** KAFKA_SESSION_TIMEOUT_MS of client.env, if set there. */
  readonly sessionTimeoutMs: string | undefined;
  /** Every consumer Deployment gives its pods KAFKA_GROUP_INSTANCE_ID (the pod name): static membership. */
  readonly staticMembership: boolean;
}

/** The consumer Deployments of the base (the example segment's is in the demo overlay, and follows the same rule). */
const CONSUMER_DEPLOYMENTS = ['executor', 'retry-scheduler', 'log-writer'];

/** Reads the consumer group settings from docker/k8s/base: client.env and the consumer Deployments. */
export function manifestGroupSettings(base: string = K8S_BASE): ManifestGroupSettings {
  const env = new Map<string, string>();
  for (const line of readFileSync(join(base, 'client.env'), 'utf8').split('\n')) {
    const setting = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (setting) env.set(setting[1] as string, setting[2] as string);
  }
  const staticMembership = CONSUMER_DEPLOYMENTS.map((name) =>
    /- name: KAFKA_GROUP_INSTANCE_ID\n\s+valueFrom:\n\s+fieldRef:\n\s+fieldPath: metadata\.name/.test(
      readFileSync(join(base, `${name}.yaml`), 'utf8'),
    ),
  );
  if (new Set(staticMembership).size > 1) {
    throw new Error(`the consumer Deployments of ${base} disagree on KAFKA_GROUP_INSTANCE_ID`);
  }
  return {
    client: env.get('KAFKA_CLIENT') ?? 'kafkajs',
    protocol: env.get('KAFKA_GROUP_PROTOCOL') ?? 'classic',
    sessionTimeoutMs: env.get('KAFKA_SESSION_TIMEOUT_MS'),
    staticMembership: staticMembership[0] ?? false,
  };
}
