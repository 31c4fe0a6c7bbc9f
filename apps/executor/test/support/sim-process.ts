import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Credentials and tenant of the one client the executor tests use. */
export const CLIENT_ID = 'executor-it';
export const CLIENT_SECRET = 'executor-it-secret-never-in-logs';
export const TENANT = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';

// The simulator is another app; the module boundaries keep its code out of the executor's tests, so it runs as what
// it is in production-like runs: a process, built by the integration target's dependency on its build (the same
// approach as the poller's tests).
const SIM_MAIN = join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'smartlink-sim', 'main.js');
const START_TIMEOUT_MS = 30_000;

/** One send as the simulator recorded it (`GET /admin/sent`). */
export interface SentEntry {
  readonly tenantId: string;
  readonly type: string;
  readonly audience: string;
  /** The JSON body, parsed. */
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly sentAt: string;
}

/** The simulated cloud as a child process on a free port, driven through its admin API. */
export class SimProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<SimProcess> {
    if (!existsSync(SIM_MAIN)) {
      throw new Error(`${SIM_MAIN} is missing: run these tests through \`nx run executor:integration\``);
    }
    const child = spawn(process.execPath, [SIM_MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        LOG_FORMAT: 'text',
        NO_COLOR: '1',
        SIM_PORT: '0',
        SIM_HOST: '127.0.0.1',
        SIM_CLIENTS: `${CLIENT_ID}:${CLIENT_SECRET}:${TENANT}`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the simulator did not start: ${output.join('\n')}`)),
        START_TIMEOUT_MS,
      );
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        output.push(line);
        const match = /listening on (http:\/\/[^\s"]+)/.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1].replace('[::1]', '127.0.0.1'));
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the simulator exited with ${code}: ${output.join('\n')}`));
      });
    });
    return new SimProcess(child, url);
  }

  /** The Smart Link settings a client of this simulator needs; short timeouts keep fault tests quick. */
  clientEnv(): Record<string, string> {
    return {
      SMARTLINK_RAC_URL: this.url,
      SMARTLINK_API_URL: `${this.url}/api/v1`,
      SMARTLINK_CLIENT_ID: CLIENT_ID,
      SMARTLINK_CLIENT_SECRET: CLIENT_SECRET,
      SMARTLINK_HTTP_TIMEOUT_MS: '2000',
    };
  }

  async admin<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok)
      throw new Error(`admin ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /** Every send recorded so far. */
  async sent(): Promise<SentEntry[]> {
    return (await this.admin<{ entries: SentEntry[] }>('GET', '/admin/sent')).entries;
  }

  /** Replaces the fault configuration (see the simulator's README); `{}` clears it. */
  async setFaults(faults: unknown): Promise<void> {
    await this.admin('PUT', '/admin/faults', faults);
  }

  /** Makes every token issued so far answer 401. */
  async rotateKey(): Promise<void> {
    await this.admin('POST', '/admin/tokens/rotate-key');
  }

  /** Requests per endpoint (`token`, `send`...) and faults injected (`send:error`...). */
  async httpStats(): Promise<{ requests: Record<string, number>; faults: Record<string, number> }> {
    return (
      await this.admin<{ http: { requests: Record<string, number>; faults: Record<string, number> } }>(
        'GET',
        '/admin/stats',
      )
    ).http;
  }

  /** Stops the simulator and waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
