import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Validates each object against the Kubernetes API schemas (and the prometheus-operator CRDs): one list of problems
 * per object, empty when it is valid, unknown fields included. Runs kubernetes-schema-check.mjs in a Node process of
 * its own, since the schema packages are ES modules only.
 */
export function schemaProblems(objects: readonly unknown[]): string[][] {
  const output = execFileSync(process.execPath, [join(__dirname, 'kubernetes-schema-check.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output) as string[][];
}
