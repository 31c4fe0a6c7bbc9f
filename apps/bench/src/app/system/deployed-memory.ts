import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

interface Container {
  readonly env?: ReadonlyArray<{ readonly name?: string; readonly value?: unknown }>;
}

/** The NODE_OPTIONS a Kubernetes manifest gives its containers (the first that sets it); null when none does. */
export function nodeOptionsOfManifest(text: string): string | null {
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { spec?: { template?: { spec?: { containers?: Container[] } } } } | null;
    for (const container of object?.spec?.template?.spec?.containers ?? []) {
      const entry = container.env?.find((e) => e.name === 'NODE_OPTIONS');
      if (typeof entry?.value === 'string') return entry.value;
    }
  }
  return null;
}

/**
 * The heap caps production runs each service with: NODE_OPTIONS from its manifest in docker/k8s/base (the client's
 * services) or docker/k8s/demo (the example segment and the simulator), read at run time so the soak follows the
 * manifests. Throws for a service without a manifest or without NODE_OPTIONS in it.
 */
export function manifestHeapCaps(workspace: string, services: readonly string[]): Record<string, string> {
  const caps: Record<string, string> = {};
  for (const service of services) {
    const file = ['base', 'demo']
      .map((dir) => join(workspace, 'docker', 'k8s', dir, `${service}.yaml`))
      .find((path) => existsSync(path));
    if (!file) throw new Error(`no manifest for ${service} in docker/k8s/base or docker/k8s/demo`);
    const options = nodeOptionsOfManifest(readFileSync(file, 'utf8'));
    if (options === null) throw new Error(`${file} sets no NODE_OPTIONS`);
    caps[service] = options;
  }
  return caps;
}

/**
 * The glibc malloc settings (`MALLOC_*`) the service images set in docker/Dockerfile's `runtime` stage, from its
 * `ENV` lines (`ENV A=1 B=2`, one or more). Why the images set them: docker/README.md, "Resources".
 */
export function allocatorEnvOfDockerfile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  let inRuntime = false;
  for (const line of text.split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) inRuntime = from[1] === 'runtime';
    else if (inRuntime && /^ENV\s/i.test(line)) {
      for (const [, name, value] of line.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g))
        env[name as string] = value as string;
    }
  }
  return env;
}

/** {@link allocatorEnvOfDockerfile} of the workspace's docker/Dockerfile. */
export function imageAllocatorEnv(workspace: string): Record<string, string> {
  return allocatorEnvOfDockerfile(readFileSync(join(workspace, 'docker', 'Dockerfile'), 'utf8'));
}

/** The client services and the example segment: what runs with the deployed memory settings (the simulator, playing the cloud, does not). */
export const DEPLOYED_SERVICES = [
  'poller',
  'executor',
  'retry-scheduler',
  'log-writer',
  'example-segment',
] as const;

/** The memory settings a run gives the services, as the deployment does; recorded in its results. */
export interface DeployedMemory {
  /** NODE_OPTIONS per service, from docker/k8s; empty with `--no-heap-caps`. */
  readonly heapCapsBy: Readonly<Record<string, string>>;
  /** MALLOC_* of docker/Dockerfile's runtime stage, for every one of {@link DEPLOYED_SERVICES}; empty with `--no-allocator-env`. */
  readonly mallocEnv: Readonly<Record<string, string>>;
}

/** What {@link DEPLOYED_SERVICES} run with, and the environment each is given for it. */
export function deployedMemory(
  workspace: string,
  use: { readonly heapCaps: boolean; readonly allocatorEnv: boolean },
): DeployedMemory & { readonly envBy: Readonly<Record<string, Readonly<Record<string, string>>>> } {
  const heapCapsBy = use.heapCaps ? manifestHeapCaps(workspace, DEPLOYED_SERVICES) : {};
  const mallocEnv = use.allocatorEnv ? imageAllocatorEnv(workspace) : {};
  const envBy: Record<string, Record<string, string>> = {};
  for (const service of DEPLOYED_SERVICES) {
    const nodeOptions = heapCapsBy[service];
    envBy[service] = { ...mallocEnv, ...(nodeOptions !== undefined && { NODE_OPTIONS: nodeOptions }) };
  }
  return { heapCapsBy, mallocEnv, envBy };
}

/** Each service's environment for the run: the deployed memory settings, then `--set`, then what the run needs. */
export function serviceOverrides(
  ...layers: ReadonlyArray<Readonly<Record<string, Readonly<Record<string, string>>>>>
): Record<string, Record<string, string>> {
  const merged: Record<string, Record<string, string>> = {};
  for (const layer of layers) {
    for (const [service, env] of Object.entries(layer)) merged[service] = { ...merged[service], ...env };
  }
  return merged;
}
