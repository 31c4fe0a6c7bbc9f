import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** Where each case writes its latest run (git-ignored); a documented run is copied to `results/runs/<case>.json`. */
export const LATEST_RESULTS_DIR = join(__dirname, '..', '..', 'results', 'latest');

/**
 * The figures of one run of one reliability case, in the shape docs/reliability.md is generated from
 * (`node tools/scripts/reliability-doc.mjs`): `table` is what a reader sees, `raw` every number measured.
 */
export interface CaseResults {
  readonly case: string;
  readonly title: string;
  readonly command: string;
  readonly passed: boolean;
  readonly durationS: number;
  readonly settings: Record<string, unknown>;
  readonly table: ReadonlyArray<readonly [string, string]>;
  readonly raw: Record<string, unknown>;
}

/** Writes `results/latest/<case>.json` with the commit and the time added; returns the path. */
export function writeCaseResults(results: CaseResults): string {
  mkdirSync(LATEST_RESULTS_DIR, { recursive: true });
  const file = join(LATEST_RESULTS_DIR, `${results.case}.json`);
  const document = {
    case: results.case,
    title: results.title,
    command: results.command,
    commit: currentCommit(),
    finishedAt: new Date().toISOString(),
    durationS: results.durationS,
    passed: results.passed,
    // Other work on the machine slows a run and widens its windows: the load says how busy it was.
    machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0]?.toFixed(1)), node: process.version },
    settings: results.settings,
    table: results.table,
    raw: results.raw,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

function currentCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    return dirty.trim().length > 0 ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** `1234` → `1,234`, as the docs write counts. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
