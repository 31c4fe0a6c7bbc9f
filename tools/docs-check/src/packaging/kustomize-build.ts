import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './kubernetes-object';

/** Every directory under `dir` (itself included) that holds a kustomization.yaml. */
export function kustomizationDirs(dir: string): string[] {
  const below = readdirSync(dir)
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isDirectory())
    .flatMap(kustomizationDirs);
  return existsSync(join(dir, 'kustomization.yaml')) ? [dir, ...below] : below;
}

/**
 * The objects `kubectl kustomize <dir>` renders: what `kubectl apply -k <dir>` would send. kubectl (v1.27+, which
 * brings kustomize v5) must be on PATH; there is no other renderer to trust.
 */
export function kustomizeBuild(dir: string): K8sObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(
        'kubectl is not on PATH: the Kubernetes manifests are checked as `kubectl kustomize` renders them. ' +
          'Install kubectl 1.27 or newer (it brings kustomize v5).',
      );
    }
    throw new Error(`kubectl kustomize ${dir} failed: ${failure.stderr ?? failure.message}`);
  }
  return parseAllDocuments(output).map((doc) => doc.toJS() as K8sObject);
}
