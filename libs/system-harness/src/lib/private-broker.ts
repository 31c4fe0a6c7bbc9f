import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@smartlink/testing';
import { workspaceRoot } from './workspace-root';

const BROKER_SCRIPT = join(workspaceRoot(), 'tools', 'kafka', 'kafka-broker.mjs');

/** Secured listeners the tool adds beside the plaintext one (tools/kafka/README.md, "Secured listeners"). */
export interface PrivateBrokerSecurity {
  /** An SSL listener on this port. */
  readonly sslPort?: number;
  /** A SASL_SSL listener (SCRAM-SHA-256 and SCRAM-SHA-512) on this port; needs `scramUsersFile`. */
  readonly saslSslPort?: number;
  /** PEM: unencrypted PKCS#8 key, then the certificate chain (see `createTestCertificates`). */
  readonly keystoreFile: string;
  /** Lines of `user:password`, stored when the data dir is formatted. */
  readonly scramUsersFile?: string;
}

/**
 * A Kafka broker of a test's own (tools/kafka, its own port and data directory), so the test can start it fresh, or
 * SIGKILL it and start it again on the same data, without touching the shared broker other test runs use.
 */
export class PrivateBroker {
  constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly dataDir: string,
    readonly security: PrivateBrokerSecurity | null = null,
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
    if (command === 'start' && this.security) args.push(...securityArgs(this.security));
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

function securityArgs(security: PrivateBrokerSecurity): string[] {
  return [
    ...(security.sslPort === undefined ? [] : ['--ssl-port', String(security.sslPort)]),
    ...(security.saslSslPort === undefined ? [] : ['--sasl-ssl-port', String(security.saslSslPort)]),
    '--ssl-keystore',
    security.keystoreFile,
    ...(security.scramUsersFile === undefined ? [] : ['--scram-users', security.scramUsersFile]),
  ];
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
