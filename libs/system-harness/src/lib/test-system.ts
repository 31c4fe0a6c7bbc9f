import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttemptStatus,
  DEFAULT_ADMIN_POSTGRES_URL,
  createScratchPostgresDatabase,
  openRmTables,
  parseDatabaseSettings,
  scratchSqlitePath,
  type RmTables,
} from '@smartlink/rm-tables';
import { SimAdmin, freePort, uniqueName } from '@smartlink/testing';
import { replicaPlan, type ReplicaCounts } from './replica-plan';
import { ServiceProcess, type ServiceSpec } from './service-process';
import { SYSTEM_SERVICES, type SystemContext, type SystemService } from './system-services';

/** The one cloud client of these tests: what the simulator accepts and the poller and executor present. */
export const CLIENT_ID = 'e2e-client';
export const CLIENT_SECRET = 'e2e-client-secret-never-logged';
export const TENANT = '7f3c2a10-5b6d-4e8f-9a0b-1c2d3e4f5a6b';

export type DatabaseKind = 'postgres' | 'sqlite';

/** The simulator's service name: it plays the cloud, not a part of the client. */
const SIM = 'smartlink-sim';
const RETRY_SCHEDULER = 'retry-scheduler';

/** How a service process ended. */
export interface ServiceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TestSystemOptions {
  readonly database: DatabaseKind;
  /** Commands the poller subscribes to (and the example segment handles). */
  readonly commands: readonly string[];
  /** Extra settings per service name, e.g. `{ 'smartlink-sim': { SIM_FAULTS: '...' } }`. */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The topic namespace of this system, for a test that reads its topics; a unique one when not given. */
  readonly namespace?: string;
  /** Extra node options per service name, e.g. `{ executor: ['--cpu-prof'] }` to profile it. */
  readonly nodeArgs?: Readonly<Record<string, readonly string[]>>;
  /** Services not to start, e.g. `['example-segment']` for a test that brings a segment of its own. */
  readonly without?: readonly string[];
  /** The Kafka cluster; default KAFKA_BROKERS (from the global setup). */
  readonly brokers?: string;
  /**
   * Start the services all at the same moment, as Kubernetes does on a first install, instead of each once the one
   * before is ready. The simulator, which plays the cloud, still starts first.
   */
  readonly startAtOnce?: boolean;
  /** How long each service may take to become ready. Default 90 s. */
  readonly readyTimeoutMs?: number;
  /**
   * The retry scheduler's `totvsAppConfig_v2.json`, written to the system's log directory and given as
   * RETRY_POLICY_FILE; the built-in defaults when not given.
   */
  readonly retryPolicy?: unknown;
  /**
   * Processes per service, as Kubernetes replicas: a number for every client service (the simulator, which plays
   * the cloud, always runs once) or a count per service name. Each replica has its own process, HTTP port, log file
   * and instance name (`executor-1`, `executor-2`; HOSTNAME, as a pod's), and the same settings otherwise. Default 1,
   * where the instance name is the service name.
   */
  readonly replicas?: ReplicaCounts;
  /**
   * Settings of one replica, from its instance name, e.g. a static group member id per pod:
   * `(instance) => ({ KAFKA_GROUP_INSTANCE_ID: instance })`. Applied after `overrides`; a restart keeps them.
   */
  readonly instanceEnv?: (instance: string, service: string) => Readonly<Record<string, string>>;
}

/**
 * A whole Smart Link Client as separate processes (the services of system-services.ts: simulator as the cloud,
 * executor, example segment, poller...) on the real broker (KAFKA_BROKERS, from the global setup) and a database of its own, under a topic namespace
 * of its own. `stop()` sends SIGTERM to every process, as Kubernetes would, and reports how each exited.
 */
export class TestSystem {
  private constructor(
    readonly sim: SimAdmin,
    readonly tables: RmTables,
    readonly segmentUrl: string,
    private readonly services: ServiceProcess[],
    private readonly dropDatabase: () => Promise<void>,
    readonly logDir: string,
    /** What POST /redrive of the retry scheduler wants: `Authorization: Bearer <redriveToken>`. */
    readonly redriveToken: string,
  ) {}

  static async start(options: TestSystemOptions): Promise<TestSystem> {
    const brokers = options.brokers ?? process.env['KAFKA_BROKERS'];
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the e2e target (its global setup)');
    const logDir = mkdtempSync(join(tmpdir(), 'smartlink-e2e-'));
    const database = await databaseFor(options.database);
    const services: ServiceProcess[] = [];
    try {
      const slots = replicaPlan(
        SYSTEM_SERVICES.map((service) => service.name),
        options.replicas,
        [SIM],
      );
      const ports = new Map<string, number>();
      for (const slot of slots) ports.set(slot.instance, await freePort());
      const firstPort = (name: string) =>
        ports.get(slots.find((slot) => slot.service === name)?.instance ?? '');
      const simUrl = `http://127.0.0.1:${firstPort(SIM)}`;
      const context: SystemContext = {
        shared: {
          KAFKA_BROKERS: brokers,
          SMARTLINK_TOPIC_NAMESPACE: options.namespace ?? uniqueName('e2e'),
          HTTP_HOST: '127.0.0.1',
          // Any suite runs on either Kafka client: `KAFKA_CLIENT=platformatic npx nx run reliability:reliability`.
          ...(process.env['KAFKA_CLIENT'] && { KAFKA_CLIENT: process.env['KAFKA_CLIENT'] }),
        },
        database: database.env,
        cloud: {
          SMARTLINK_RAC_URL: simUrl,
          SMARTLINK_API_URL: `${simUrl}/api/v1`,
          SMARTLINK_CLIENT_ID: CLIENT_ID,
          SMARTLINK_CLIENT_SECRET: CLIENT_SECRET,
        },
        commands: options.commands,
        simUrl,
        redriveToken: randomBytes(24).toString('hex'),
        overrides: {
          ...options.overrides,
          ...(options.retryPolicy !== undefined && {
            [RETRY_SCHEDULER]: {
              RETRY_POLICY_FILE: writePolicy(logDir, options.retryPolicy),
              ...options.overrides?.[RETRY_SCHEDULER],
            },
          }),
          [SIM]: {
            SIM_CLIENTS: `${CLIENT_ID}:${CLIENT_SECRET}:${TENANT}`,
            ...options.overrides?.[SIM],
          },
        },
      };
      const specs = slots
        .filter((slot) => !options.without?.includes(slot.service))
        .map((slot): ServiceSpec => {
          const service = SYSTEM_SERVICES.find((s) => s.name === slot.service) as SystemService;
          const port = ports.get(slot.instance) as number;
          return {
            name: service.name,
            instance: slot.instance,
            env: {
              ...service.env(context, port),
              ...(slot.instance !== service.name && { HOSTNAME: slot.instance }),
              ...context.overrides[service.name],
              ...options.instanceEnv?.(slot.instance, service.name),
            },
            readyUrl: service.readyUrl?.(context, port) ?? `http://127.0.0.1:${port}/health/ready`,
            nodeArgs: options.nodeArgs?.[service.name] ?? [],
            ...(options.readyTimeoutMs !== undefined && { readyTimeoutMs: options.readyTimeoutMs }),
          };
        });
      if (options.startAtOnce) {
        const isCloud = (spec: ServiceSpec) => spec.name === SIM;
        for (const spec of specs.filter(isCloud)) services.push(await ServiceProcess.start(spec, logDir));
        await startAll(
          specs.filter((spec) => !isCloud(spec)),
          logDir,
          services,
        );
      } else {
        for (const spec of specs) services.push(await ServiceProcess.start(spec, logDir));
      }

      // The scratch database is the harness's own: create, as the services did on it. A suite that points the
      // services at another database (the reliability suite, through its proxy) leaves this one unused and empty.
      const tables = await openRmTables(parseDatabaseSettings({ ...database.env, DB_SCHEMA: 'create' }));
      return new TestSystem(
        new SimAdmin(simUrl),
        tables,
        `http://127.0.0.1:${firstPort('example-segment')}`,
        services,
        database.drop,
        logDir,
        context.redriveToken,
      );
    } catch (error) {
      await Promise.all(services.map((service) => service.stop()));
      await database.drop();
      throw error;
    }
  }

  /** The example segment's counters (GET /stats). */
  async segmentStats(): Promise<{ distinctSucceeded: number; duplicatesAbsorbed: number }> {
    const response = await fetch(`${this.segmentUrl}/stats`, { signal: AbortSignal.timeout(5_000) });
    return (await response.json()) as { distinctSucceeded: number; duplicatesAbsorbed: number };
  }

  /** Successful attempts recorded in GTOTVSLINKMESSAGEEXEC for these message ids. */
  async successRows(messageIds: readonly string[]): Promise<{ messageId: string; attempt: number }[]> {
    const rows = await this.tables.attempts.findByMessageIds(messageIds);
    return rows.filter((r) => r.status === AttemptStatus.Success);
  }

  /** The last lines of every service's log, for a failure message. */
  logs(): string {
    return this.services.map((s) => `--- ${s.instance} ---\n${s.logTail(30)}`).join('\n');
  }

  private stopping: Promise<Record<string, ServiceExit>> | null = null;

  /** Every service process, in start order (the simulator first, the poller last). */
  get processes(): readonly ServiceProcess[] {
    return this.services;
  }

  /**
   * The process of one instance, e.g. to kill or restart it: by instance name (`executor-2`), by service name when
   * the service runs once (`executor`), or by service name and 1-based replica index (`service('executor', 2)`).
   */
  service(name: string, replica?: number): ServiceProcess {
    if (replica !== undefined) {
      const found = this.replicasOf(name)[replica - 1];
      if (!found) throw new Error(`no replica ${replica} of ${name} in this system`);
      return found;
    }
    const byInstance = this.services.find((s) => s.instance === name);
    if (byInstance) return byInstance;
    const replicas = this.replicasOf(name);
    if (replicas.length > 1) {
      throw new Error(
        `${name} runs ${replicas.length} replicas: name one (${replicas.map((r) => r.instance).join(', ')})`,
      );
    }
    throw new Error(`no service ${name} in this system`);
  }

  /** Every running process of one service, in replica order. */
  replicasOf(name: string): ServiceProcess[] {
    return this.services.filter((s) => s.spec.name === name);
  }

  /**
   * Stops one instance (SIGTERM) and starts it again with the same settings, running `whileDown` in between (e.g. to
   * build up a backlog for it); resolves once the new process is ready. `name` as in {@link service}.
   */
  async restart(name: string, whileDown?: () => Promise<void>): Promise<ServiceProcess> {
    const old = this.service(name);
    await old.stop();
    await whileDown?.();
    const fresh = await ServiceProcess.start(old.spec, this.logDir);
    this.services[this.services.indexOf(old)] = fresh;
    return fresh;
  }

  /**
   * SIGTERM to every service, in reverse start order (the poller feeds the rest); returns how each exited, by instance
   * name.
   */
  stop(): Promise<Record<string, ServiceExit>> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<Record<string, ServiceExit>> {
    const exits: Record<string, ServiceExit> = {};
    for (const service of [...this.services].reverse()) exits[service.instance] = await service.stop();
    await this.tables.close();
    await this.dropDatabase();
    return exits;
  }
}

/** Starts every service at once; adds those that became ready to `started`, and fails if any did not. */
async function startAll(
  specs: readonly ServiceSpec[],
  logDir: string,
  started: ServiceProcess[],
): Promise<void> {
  const results = await Promise.allSettled(specs.map((spec) => ServiceProcess.start(spec, logDir)));
  const failures: string[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') started.push(result.value);
    else failures.push((result.reason as Error).message);
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

async function databaseFor(
  kind: DatabaseKind,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    return { env: { DB_TYPE: 'sqlite', DB_SQLITE_PATH: scratchSqlitePath() }, drop: async () => undefined };
  }
  const adminUrl = process.env['TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_POSTGRES_URL;
  const scratch = await createScratchPostgresDatabase(adminUrl);
  const url = new URL(adminUrl);
  url.pathname = `/${scratch.name}`;
  return { env: { DB_TYPE: 'postgres', DB_URL: url.toString() }, drop: scratch.drop };
}

function writePolicy(dir: string, policy: unknown): string {
  const file = join(dir, 'totvsAppConfig_v2.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}
