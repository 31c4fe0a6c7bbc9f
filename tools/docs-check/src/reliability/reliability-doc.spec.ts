import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const SCRIPT = join(ROOT, 'tools/scripts/reliability-doc.mjs');

function run(...args: string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** A scratch copy of what the generator reads, to break on purpose. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-doc-'));
  for (const part of [
    'apps/reliability/docs',
    'apps/reliability/results/runs',
    'apps/reliability/test',
    'docs',
  ]) {
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  return dir;
}

describe('docs/reliability.md', () => {
  it('is what the documented runs and the prose give (node tools/scripts/reliability-doc.mjs)', () => {
    const { status, out } = run('--check');
    expect({ status, out }).toEqual({ status: 0, out: 'docs/reliability.md matches the documented runs\n' });
  });

  it('every figure of it comes from a committed run: the check fails when a run changes under it', () => {
    const dir = scratchCopy();
    try {
      const file = join(dir, 'apps/reliability/results/runs/kills-and-faults.json');
      const runJson = JSON.parse(readFileSync(file, 'utf8')) as { table: string[][] };
      runJson.table[0] = ['valid messages enqueued in the cloud', '999,999'];
      writeFileSync(file, JSON.stringify(runJson));
      expect(run('--check', '--root', dir).status).toBe(1);
      expect(run('--root', dir).status).toBe(0);
      expect(readFileSync(join(dir, 'docs/reliability.md'), 'utf8')).toContain(
        '| valid messages enqueued in the cloud | 999,999 |',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a case without a passing documented run, or left out of the page', () => {
    const dir = scratchCopy();
    try {
      const file = join(dir, 'apps/reliability/results/runs/kills-and-faults.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), passed: false }));
      expect(run('--root', dir).out).toContain('case kills-and-faults: its documented run did not pass');
      writeFileSync(join(dir, 'apps/reliability/test/new-case.reliability-spec.ts'), '');
      expect(run('--root', dir).out).toContain('case new-case has a spec but no {{case:new-case}} line');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
