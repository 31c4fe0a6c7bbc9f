import { spawnSync } from 'node:child_process';

/** Where the bench writes its results: left out of the check for uncommitted changes, since runs write into it. */
const RESULTS = 'apps/bench/results';

/**
 * The commit the workspace is at, short, with `-dirty` when tracked or untracked files outside `apps/bench/results`
 * differ from it (the run then measured code no commit holds); `unknown` without git.
 */
export function workspaceCommit(workspace: string): string {
  const git = (...args: string[]) =>
    spawnSync('git', args, { cwd: workspace, encoding: 'utf8', timeout: 10_000 });
  const head = git('rev-parse', '--short=7', 'HEAD');
  if (head.status !== 0) return 'unknown';
  const status = git('status', '--porcelain', '--', '.', `:(exclude)${RESULTS}`);
  const dirty = status.status !== 0 || status.stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '-dirty' : ''}`;
}

/**
 * The directory of one run in the history of runs (`<out>/runs/<name>`): the instant it started in ISO 8601's basic
 * format, UTC, to the second (`20261207T101530Z`: sorts by time, no colons for file systems that refuse them), then
 * the commit it measured.
 */
export function runDirectoryName(startedAt: string, commit: string | undefined): string {
  const instant = new Date(startedAt);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not an instant: ${JSON.stringify(startedAt)}`);
  const basic = instant
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `${basic}-${commit ?? 'unknown'}`;
}
