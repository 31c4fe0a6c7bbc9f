import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Credentials and tenant of the one client the poller tests use. */
export const CLIENT_ID = 'poller-it';
export const CLIENT_SECRET = 'poller-it-secret-never-in-logs';
export const TENANT = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';

// The simulator is another app; the module boundaries keep its code out of the poller's tests, so it runs as
// what it is in production-like runs: a process, built by the integration target's dependency on its build.
const SIM_MAIN = join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'smartlink-sim', 'main.js');
const START_TIMEOUT_MS = 30_000;

/** One acked delivery as the admin API lists it. */
export interface AckedEntry {
  readonly messageId: string;
  readonly receipt: string;
  readonly deliveryCount: number;
}

/** The admin API's counters, as far as these tests read them. */
export interface SimStats {
  readonly tenants: Record<
    string,
    {
      ready: number;
      inFlight: number;
      acked: number;
      delivered: number;
      setUp: boolean;
      subscriptions: string[];
    }
  >;
  readonly http: { readonly requests: Partial<Record<'token' | 'setup' | 'get' | 'ack' | 'send', number>> };
}

/** What a published message became: the id the poller will use, the broker id the acked list shows. */
export interface Enqueued {
  readonly id: string;
  readonly messageId: string;
  readonly status: 'queued' | 'unrouted';
}

/** The cloud simulator as a child process on a free port, driven through its admin API. */
export class SimProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<SimProcess> {
    if (!existsSync(SIM_MAIN)) {
      throw new Error(`${SIM_MAIN} is missing: run these tests through \`nx run poller:integration\``);
    }
    const child = spawn(process.execPath, [SIM_MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        NO_COLOR: '1',
        SIM_PORT: '0',
        SIM_HOST: '127.0.0.1',
        SIM_CLIENTS: `${CLIENT_ID}:${CLIENT_SECRET}:${TENANT}`,
        SIM_VISIBILITY_TIMEOUT_MS: '60000',
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

  /** The Smart Link settings a client of this simulator needs. */
  clientEnv(): Record<string, string> {
    return {
      SMARTLINK_RAC_URL: this.url,
      SMARTLINK_API_URL: `${this.url}/api/v1`,
      SMARTLINK_CLIENT_ID: CLIENT_ID,
      SMARTLINK_CLIENT_SECRET: CLIENT_SECRET,
      SMARTLINK_HTTP_TIMEOUT_MS: '5000',
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

  /** Publishes messages to the test tenant (see the simulator's README for the item forms). */
  async enqueue(messages: unknown[]): Promise<Enqueued[]> {
    const result = await this.admin<{ messages: Enqueued[] }>('POST', `/admin/tenants/${TENANT}/messages`, {
      messages,
    });
    return result.messages;
  }

  async acked(): Promise<{ total: number; entries: AckedEntry[] }> {
    return this.admin('GET', `/admin/tenants/${TENANT}/acked`);
  }

  stats(): Promise<SimStats> {
    return this.admin<SimStats>('GET', '/admin/stats');
  }

  /** Stops the simulator and waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
