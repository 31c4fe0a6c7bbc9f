import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', '..', '..', '..');
/** The built CLI: the integration target depends on `cli:build`. */
export const CLI_MAIN = join(WORKSPACE, 'dist', 'apps', 'cli', 'main.js');

/** How a CLI run ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI as a process, the way an operator does, with only the environment given (plus PATH), so the
 * machine's own SMARTLINK_* or DB_* settings cannot leak in. `stdin` is piped in and closed; without it, standard
 * input is empty and not a terminal.
 */
export function runCliProcess(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<CliRun> {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`${CLI_MAIN} is missing: run these tests through \`nx run cli:integration\``);
  }
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    cwd: WORKSPACE,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
