import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@smartlink/testing';
import { workspaceRoot } from './workspace-root';

const BROKER_SCRIPT = join(workspaceRoot(), 'tools', 'kafka', 'kafka-broker.mjs');

/**
 * A Kafka broker of a test's own (tools/kafka, its own port and data directory), so the test can start it fresh, or
 * SIGKILL it and start it again on the same data, without touching the shared broker other test runs use.
 */
export class PrivateBroker {
  constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly dataDir: string,
  ) {}

  /** `localhost:<port>`, known before the broker answers, for services started at the same moment. */
  get brokers(): string {
    return `localhost:${this.port}`;
  }

  /**
   * Starts the broker (formatting `dataDir` first if it is new; again on the same data after {@link kill}) and
   * resolves once it answers.
   */
  async start(): Promise<void> {
    await this.run('start');
  }

  /** The JVM's pid, from the tool's status. */
  async pid(): Promise<number | null> {
    const status = JSON.parse((await this.run('status', true)).trim().split('\n').pop() ?? '{}') as {
      pid?: number;
    };
    return typeof status.pid === 'number' ? status.pid : null;
  }

  /** SIGKILL, like a machine losing power; resolves once the port refuses connections. */
  async kill(): Promise<void> {
    const pid = await this.pid();
    if (pid === null) throw new Error(`no broker of ours runs on port ${this.port}`);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => !(await reachable(this.port)), {
      description: `the broker on ${this.port} to be gone`,
      timeoutMs: 20_000,
      intervalMs: 100,
    });
  }

  /** Stops it for good (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    await this.run('stop', true);
  }

  private async run(command: string, allowFailure = false): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m' };
    delete env['KAFKA_BROKERS'];
    const args = [BROKER_SCRIPT, command, '--json', '--port', String(this.port)];
    args.push('--controller-port', String(this.controllerPort), '--data-dir', this.dataDir);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, args, { env, timeout: 180_000 });
      return stdout;
    } catch (error) {
      const failed = error as Error & { code?: number; stdout?: string; stderr?: string };
      if (allowFailure) return failed.stdout ?? '';
      throw new Error(`kafka-broker.mjs ${command} exited ${failed.code}: ${failed.stderr}`, {
        cause: error,
      });
    }
  }
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
