import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as `kubectl apply` would receive it; only what the tests read. */
export interface AppliedObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly spec?: {
    readonly template?: {
      readonly spec: {
        readonly containers: readonly {
          readonly env?: readonly {
            readonly name: string;
            readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
          }[];
          readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string } }[];
        }[];
      };
    };
  };
}

/**
 * Runs the shell steps of an activation report with bash, as an operator pastes them: every line from the first
 * numbered step on, but the step titles. `kubectl` is the real one, except that `apply` keeps what it would send
 * (rendering `-k <dir>` with `kubectl kustomize`) instead of reaching a cluster. Returns what was applied, in order.
 */
export function followPrintedSteps(
  report: string,
  workDir: string,
  env: Record<string, string>,
): AppliedObject[] {
  const lines = report.split('\n');
  const first = lines.findIndex((line) => /^1\. /.test(line));
  if (first < 0) throw new Error(`the report has no numbered steps:\n${report}`);
  const script = lines.slice(first).filter((line) => !/^\d\. /.test(line));
  const realKubectl = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  const bin = join(workDir, 'bin');
  const applied = join(workDir, 'applied.yaml');
  mkdirSync(bin, { recursive: true });
  writeFileSync(applied, '');
  writeFileSync(
    join(bin, 'kubectl'),
    [
      '#!/bin/sh',
      'if [ "$1" = apply ]; then',
      '  for arg in "$@"; do case "$prev" in -k) dir="$arg";; esac; prev="$arg"; done',
      `  if [ -n "$dir" ]; then "${realKubectl}" kustomize "$dir" >> "${applied}" || exit 1; else cat >> "${applied}"; fi`,
      `  echo --- >> "${applied}"`,
      '  exit 0',
      'fi',
      `exec "${realKubectl}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  execFileSync('bash', ['-euo', 'pipefail', '-c', script.join('\n')], {
    cwd: workDir,
    env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(readFileSync(applied, 'utf8'))
    .map((doc) => doc.toJS() as AppliedObject | null)
    .filter((object): object is AppliedObject => object !== null);
}
