import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SimAdmin } from './sim-admin';

const WORKSPACE = join(__dirname, '..', '..', '..', '..', '..');
const SIM_MAIN = join(WORKSPACE, 'dist', 'apps', 'smartlink-sim', 'main.js');
const START_TIMEOUT_MS = 30_000;

/** A cloud client the simulator accepts: its RAC credentials and the tenant its tokens carry. */
export interface SimClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenantId: string;
}

/**
 * The cloud simulator as a child process on a free port (its built bundle, dist/apps/smartlink-sim/main.js: a
 * test target that uses this depends on `smartlink-sim:build`), driven through its admin API.
 */
export class SimProcess extends SimAdmin {
  private constructor(
    private readonly child: ChildProcess,
    url: string,
    readonly client: SimClient,
  ) {
    super(url);
  }

  /** Starts the simulator for one client; `env` adds simulator settings (SIM_FAULTS...). */
  static async start(client: SimClient, env: Record<string, string> = {}): Promise<SimProcess> {
    if (!existsSync(SIM_MAIN)) {
      throw new Error(`${SIM_MAIN} is missing: run nx run smartlink-sim:build (test targets depend on it)`);
    }
    const child = spawn(process.execPath, [SIM_MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        NO_COLOR: '1',
        LOG_FORMAT: 'text',
        SIM_PORT: '0',
        SIM_HOST: '127.0.0.1',
        SIM_CLIENTS: `${client.clientId}:${client.clientSecret}:${client.tenantId}`,
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
    return new SimProcess(child, url, client);
  }

  /** The Smart Link settings that point a service at this simulator with the client's credentials. */
  clientEnv(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      SMARTLINK_RAC_URL: this.url,
      SMARTLINK_API_URL: `${this.url}/api/v1`,
      SMARTLINK_CLIENT_ID: this.client.clientId,
      SMARTLINK_CLIENT_SECRET: this.client.clientSecret,
      SMARTLINK_HTTP_TIMEOUT_MS: '5000',
      ...overrides,
    };
  }

  /** Stops the simulator and waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
