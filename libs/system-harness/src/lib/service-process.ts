import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@smartlink/testing';
import { workspaceRoot } from './workspace-root';

const WORKSPACE = workspaceRoot();

/** How to run one built app as a process. */
export interface ServiceSpec {
  /** The Nx project name; its bundle is dist/apps/<name>/main.js (built by the e2e target's dependsOn). */
  readonly name: string;
  /** This process's name among the replicas of its service (its log file is `<instance>.log`); default `name`. */
  readonly instance?: string;
  readonly env: Readonly<Record<string, string>>;
  /** The URL that answers 2xx once the service is ready to take work. */
  readonly readyUrl: string;
  /** Extra options for node itself, e.g. `--cpu-prof` (which NODE_OPTIONS does not take). */
  readonly nodeArgs?: readonly string[];
  /** How long it may take to become ready. Default 90 s. */
  readonly readyTimeoutMs?: number;
}

const DEFAULT_READY_TIMEOUT_MS = 90_000;

/**
 * One service running as a child process, as in production: its own process, its own environment, its output in
 * a log file that is printed when something goes wrong.
 */
export class ServiceProcess {
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    readonly spec: ServiceSpec,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
  }

  /** Starts the service and waits until its readiness URL answers. */
  static async start(spec: ServiceSpec, logDir: string): Promise<ServiceProcess> {
    const main = join(WORKSPACE, 'dist', 'apps', spec.name, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build it with nx run ${spec.name}:build`);
    const logFile = join(logDir, `${spec.instance ?? spec.name}.log`);
    const log = createWriteStream(logFile);
    // Through a shell that forbids core files and then becomes node (exec keeps the pid): a process that aborts
    // (V8 out of memory, as the reliability suite's poison case makes one) must not drop a core into the repo root,
    // its working directory, wherever the machine allows core dumps.
    const node = [process.execPath, '--enable-source-maps', ...(spec.nodeArgs ?? []), main];
    const child = spawn('/bin/sh', ['-c', 'ulimit -c 0 && exec "$@"', 'sh', ...node], {
      cwd: WORKSPACE,
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const service = new ServiceProcess(spec, child, logFile);
    try {
      await waitFor(
        async () => {
          const response = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2_000) });
          return response.ok;
        },
        {
          description: `${spec.instance ?? spec.name} to be ready at ${spec.readyUrl}`,
          timeoutMs: spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
          intervalMs: 200,
          // A process that exited will never be ready: say so now rather than after the timeout.
          abortIf: () =>
            service.exit
              ? new Error(`${spec.instance ?? spec.name} exited early (${JSON.stringify(service.exit)})`)
              : null,
        },
      );
    } catch (error) {
      await service.stop();
      throw new Error(
        `${(error as Error).message}\n--- ${spec.instance ?? spec.name} log ---\n${service.logTail()}`,
        {
          cause: error,
        },
      );
    }
    return service;
  }

  /** This process's name among the replicas of its service, e.g. `executor-2`; the service name when it runs once. */
  get instance(): string {
    return this.spec.instance ?? this.spec.name;
  }

  /** The operating system's id of the process, e.g. to read its CPU time and RSS from /proc; null once it exited. */
  get pid(): number | null {
    return this.exit === null ? (this.child.pid ?? null) : null;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** The last lines of the service's output, for failure messages. */
  logTail(lines = 60): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, as Kubernetes does; SIGKILL if it has not exited within `graceMs`. Resolves with the exit. */
  async stop(graceMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exit === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exit ?? { code: null, signal: null };
  }
}
