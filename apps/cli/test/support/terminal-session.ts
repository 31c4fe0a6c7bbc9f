import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { waitFor } from '@smartlink/testing';
import { CLI_MAIN } from './cli-process';

/**
 * The built CLI on a pseudo-terminal, through util-linux `script`, so its prompts run as they do for an operator:
 * what the CLI echoes (or does not) shows up in {@link output}, exactly as the terminal would display it. Type only
 * once the question is on screen (`answer`): the CLI turns echo off before it asks for a secret, not before.
 */
export class TerminalSession {
  private screen = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => (this.screen += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.screen += chunk.toString()));
    this.exited = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
  }

  static start(args: readonly string[], env: Record<string, string>): TerminalSession {
    const command = [process.execPath, CLI_MAIN, ...args].map((word) => `'${word}'`).join(' ');
    // -q: no banner, -f: flush at once, -e: exit with the CLI's code, -c: run this command; no typescript file.
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '', TERM: 'dumb', ...env },
      stdio: 'pipe',
    });
    return new TerminalSession(child);
  }

  /** Everything the terminal displayed so far. */
  get output(): string {
    return this.screen;
  }

  /** Waits for `question` to be displayed, then types `text` and Enter. */
  async answer(question: string, text: string): Promise<void> {
    await waitFor(() => this.screen.includes(question), {
      description: `the prompt ${JSON.stringify(question)}`,
      timeoutMs: 20_000,
    });
    this.child.stdin.write(`${text}\r`);
  }

  /** Closes the keyboard and waits for the CLI to exit; its exit code. */
  exit(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
