import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Where promtool is put when the machine has none: Debian's `prometheus` package ships it, a static binary. The
 * package is downloaded and only unpacked (`apt-get download`, `dpkg-deb -x`), not installed: installing it would
 * also install and start a Prometheus server.
 */
const LOCAL_PREFIX = join(__dirname, '../../../../.local/tools/prometheus');
const LOCAL_PROMTOOL = join(LOCAL_PREFIX, 'usr/bin/promtool');

/** What a promtool run printed and how it ended. */
export interface PromtoolRun {
  readonly status: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd?: string): PromtoolRun {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return {
    status: result.error ? null : result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
  };
}

/**
 * The path of a promtool: the one on the PATH, else the one unpacked under .local/tools, else Debian's `prometheus`
 * package downloaded and unpacked there (about 10 s, once per machine; `apt-get update` first when apt has no
 * package lists, which needs root, as CI runs). Throws with what to do when none can be had.
 */
export function ensurePromtool(): string {
  if (run('promtool', ['--version']).status === 0) return 'promtool';
  if (existsSync(LOCAL_PROMTOOL)) return LOCAL_PROMTOOL;
  const download = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    let fetched = run('apt-get', ['download', 'prometheus'], download);
    if (fetched.status !== 0 && process.getuid?.() === 0) {
      run('apt-get', ['update']);
      fetched = run('apt-get', ['download', 'prometheus'], download);
    }
    const deb = readdirSync(download).find((file) => file.endsWith('.deb'));
    if (fetched.status !== 0 || !deb) {
      throw new Error(
        `promtool is needed to check the alert rules and could not be fetched (${fetched.output.trim()}). ` +
          "Install Debian's prometheus package (apt-get install prometheus) or put promtool on the PATH.",
      );
    }
    const unpacked = run('dpkg-deb', ['-x', join(download, deb), join(download, 'root')]);
    if (unpacked.status !== 0)
      throw new Error(`could not unpack promtool from ${deb}: ${unpacked.output.trim()}`);
    // Moved into place whole, so test files asking at the same time never see half a binary.
    mkdirSync(dirname(LOCAL_PREFIX), { recursive: true });
    try {
      renameSync(join(download, 'root'), LOCAL_PREFIX);
    } catch (error) {
      if (!existsSync(LOCAL_PROMTOOL)) throw error;
    }
    return LOCAL_PROMTOOL;
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

/** Runs promtool with `args` in `cwd`. */
export function promtool(path: string, args: readonly string[], cwd?: string): PromtoolRun {
  return run(path, args, cwd);
}
