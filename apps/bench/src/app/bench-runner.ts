import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KafkaClient, TimestampType } from '@smartlink/messaging';
import { TestSystem } from '@smartlink/system-harness';
import { uniqueName } from '@smartlink/testing';
import type { BenchEvent, OutcomeRecord } from './analysis/bench-event';
import {
  latencyOf,
  retriesOf,
  throughputOf,
  upstreamOf,
  type CommandRecord,
  type UpstreamSend,
} from './analysis/event-analysis';
import type { RecordsPerMessage } from './analysis/records-per-message';
import { benchKafkaClient } from './bench-kafka-client';
import { measureDatabaseLimit } from './limits/database-insert-limit';
import { measureKafkaClients } from './limits/kafka-clients-limit';
import { measureKafkaLimit } from './limits/kafka-producer-limit';
import type { BenchOptions, BenchRunName } from './options/bench-options';
import type {
  BenchResult,
  DatabaseLimit,
  KafkaClientLimit,
  KafkaLimit,
  LogWriterFigures,
} from './report/bench-result';
import { pidsWithCommandLine, ResourceSampler, type WatchedProcess } from './resources/resource-sampler';
import { BENCH_COMMANDS, RUN_SOURCES, settle, sleep, type BenchContext } from './runs/bench-context';
import { downstreamRun } from './runs/downstream-run';
import { latencyRun } from './runs/latency-run';
import { logWriterRun } from './runs/log-writer-run';
import { RecordCount } from './runs/record-count';
import { benchRetryPolicy, retryRun } from './runs/retry-run';
import { upstreamRun } from './runs/upstream-run';
import { warmUpRun } from './runs/warm-up-run';
import { readCommandRecords, readEventLog, readOutcomeRecords } from './system/event-log-reader';
import { machineInfo } from './system/machine-info';
import { workspaceCommit } from './system/run-directory';
import { deployedMemory, serviceOverrides } from './system/deployed-memory';

/** Where the bench runs and against what; main.ts finds these out. */
export interface BenchEnvironment {
  readonly workspace: string;
  readonly brokers: string;
  /** The local broker's pid when tools/kafka runs it (its CPU and RSS are read too). */
  readonly brokerPid: number | null;
  readonly postgresAdminUrl: string;
  /** The command line as a user types it, for the report. */
  readonly command: string;
  readonly progress: (message: string) => void;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * One benchmark run: the raw limits first (Kafka producer, each Kafka client library on its own, database insert),
 * then the whole system as processes on the real broker and database, watched idle and then driven through the
 * downstream, latency, upstream, retry and log-writer runs in turn; finally the event log, the outcomes and the
 * command topics are read and every figure computed from the services' own timestamps. A part that fails is reported
 * as a problem and the rest still runs. With `limitsOnly` it stops after the limits.
 */
export async function runBench(options: BenchOptions, env: BenchEnvironment): Promise<BenchResult> {
  const { progress } = env;
  const startedAt = new Date().toISOString();
  const commit = workspaceCommit(env.workspace);
  const loadBefore = loadavg().map((n) => round(n));
  const problems: string[] = [];
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      const message = `${what}: ${(error as Error).message}`;
      problems.push(message.split('\n')[0] as string);
      progress(`FAILED ${message}`);
      return null;
    }
  };
  const namespace = uniqueName('bench');
  const client = benchKafkaClient(env.brokers, namespace);

  progress('limits: Kafka producer (kafka-producer-perf-test, acks=all)');
  const kafka: KafkaLimit | null = await attempt('Kafka producer limit', () =>
    measureKafkaLimit({
      client,
      workspace: env.workspace,
      brokers: env.brokers,
      records: options.messages,
      recordBytes: options.messageBytes,
      latencyRate: options.latencyRate,
    }),
  );
  const clients: KafkaClientLimit[] | null = await attempt('Kafka client limits', () =>
    measureKafkaClients({
      client,
      workspace: env.workspace,
      brokers: env.brokers,
      records: options.messages,
      recordBytes: options.messageBytes,
      progress,
      problem: (message) => {
        problems.push(message);
        progress(`FAILED ${message}`);
      },
    }),
  );
  progress(`limits: ${options.database} batched insert into GTOTVSLINKMESSAGEEXEC`);
  const database: DatabaseLimit | null = await attempt('database insert limit', () =>
    measureDatabaseLimit({
      database: options.database,
      rows: options.messages,
      dataBytes: options.messageBytes,
      adminUrl: env.postgresAdminUrl,
    }),
  );
  const limits = { kafka, clients, database };
  const memory = deployedMemory(env.workspace, options);
  const settings: BenchResult['settings'] = {
    database: options.database,
    messages: options.messages,
    messageBytes: options.messageBytes,
    latencyRate: options.latencyRate,
    latencySeconds: options.latencySeconds,
    upstreamMessages: options.upstreamMessages,
    retryMessages: options.retryMessages,
    retryDelayMs: options.retryDelayMs,
    logRows: options.logRows,
    serviceSettings: options.settings,
    deployedMemory: { heapCapsBy: memory.heapCapsBy, mallocEnv: memory.mallocEnv },
  };
  /** The fields every result starts with, the run's identity; `finishedAt` is when it is called. */
  const resultHeader = () => ({
    schema: 'smartlink-bench/v1' as const,
    startedAt,
    finishedAt: new Date().toISOString(),
    command: env.command,
    commit,
    machine: machineInfo(env.workspace, options.database, env.postgresAdminUrl),
  });
  if (options.limitsOnly) {
    await removeTopics(client, progress);
    return {
      ...resultHeader(),
      // No system ran: nothing was sampled.
      load: {
        idleBusyCores: NaN,
        loadBusyCores: NaN,
        before: loadBefore,
        duringMax1m: null,
        duringMean1m: null,
        after: loadavg().map((n) => round(n)),
      },
      settings,
      limits,
      downstreamMsgPerSec: null,
      downstream: null,
      recordsPerMessage: null,
      recordsPerRetriedMessage: null,
      latency: null,
      upstream: null,
      retries: null,
      logWriter: null,
      resources: {},
      problems,
    };
  }

  const scratch = mkdtempSync(join(tmpdir(), 'smartlink-bench-'));
  const policyFile = join(scratch, 'totvsAppConfig_v2.json');
  writeFileSync(policyFile, JSON.stringify(benchRetryPolicy(options.retryDelayMs)));
  const profileDir = resolve(env.workspace, options.outDir, 'profiles');
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  const clientServices = ['poller', 'executor', 'retry-scheduler', 'log-writer', 'example-segment'];
  const nodeArgs = options.profile
    ? Object.fromEntries(
        clientServices.map((name) => [
          name,
          ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`],
        ]),
      )
    : {};

  progress(
    `system: starting simulator, executor, retry-scheduler, log-writer, example-segment and poller on ${options.database}`,
  );
  const system = await TestSystem.start({
    database: options.database,
    commands: [BENCH_COMMANDS.plain, BENCH_COMMANDS.failing],
    namespace,
    overrides: serviceOverrides(memory.envBy, options.settings, {
      'retry-scheduler': { RETRY_POLICY_FILE: policyFile },
    }),
    nodeArgs,
  });
  const single = (pid: number | null) => (pid === null ? [] : [pid]);
  // Looked up every 5 s: scanning /proc costs a few milliseconds, and the pool's connections live long.
  let found: { at: number; pids: number[] } = { at: 0, pids: [] };
  const backends = () => {
    if (Date.now() - found.at >= 5_000)
      found = { at: Date.now(), pids: pidsWithCommandLine(` ${scratchDb} `) };
    return found.pids;
  };
  // PostgreSQL names the database in each backend's process title: those serving this run's scratch database.
  const scratchDb = /\/(smartlink_test_[0-9a-f]+)/.exec(
    system.service('executor').spec.env['DB_URL'] ?? '',
  )?.[1];
  const watched = (): WatchedProcess[] => [
    ...system.processes.map((p) => ({
      name: p.spec.name,
      pids: () => single(p.pid),
      ...(p.spec.readyUrl.endsWith('/health/ready') && {
        metricsUrl: p.spec.readyUrl.replace(/\/health\/ready$/, '/metrics'),
      }),
    })),
    ...(env.brokerPid === null ? [] : [{ name: 'kafka-broker', pids: () => single(env.brokerPid) }]),
    ...(scratchDb === undefined ? [] : [{ name: 'postgres', pids: () => backends() }]),
  ];
  const sampler = new ResourceSampler(watched);
  sampler.start();
  const context: BenchContext = { system, options, sampler, client, progress };
  let logWriter: LogWriterFigures | null = null;
  let upstreamSends: UpstreamSend[] = [];
  const records: { downstream: RecordsPerMessage | null; retries: RecordsPerMessage | null } = {
    downstream: null,
    retries: null,
  };
  // A run whose Kafka records are counted: offsets of the namespace before it, and after it once all is committed.
  // A failure to count is a problem of its own; the run's other figures still stand.
  const counted = async (what: string, body: () => Promise<number>): Promise<RecordsPerMessage | null> => {
    const count = await attempt(`counting the records of the ${what} (offsets before)`, () =>
      RecordCount.start(context),
    );
    try {
      const handled = await body();
      if (count === null || handled <= 0) return null;
      return await attempt(`counting the records of the ${what}`, () => count.finish(handled));
    } finally {
      await count?.close();
    }
  };
  try {
    await warmUpRun(context);
    progress(`idle: watching the services for ${options.idleSeconds} s`);
    sampler.begin('idle');
    await sleep(options.idleSeconds * 1000);
    sampler.end();
    const runs = new Set(options.runs);
    // Each run starts once the system has caught up with the one before.
    const run = async <T>(name: BenchRunName, what: string, body: () => Promise<T>): Promise<T | null> => {
      if (!runs.has(name)) return null;
      await attempt(`settling before the ${what}`, () => settle(context));
      return attempt(what, body);
    };
    await run('downstream', 'downstream run', async () => {
      records.downstream = await counted('downstream run', () => downstreamRun(context));
    });
    await run('latency', 'latency run', () => latencyRun(context));
    await run('upstream', 'upstream run', async () => {
      upstreamSends = await upstreamRun(context);
    });
    await run('retries', 'retry run', async () => {
      records.retries = await counted('retry run', () => retryRun(context));
    });
    logWriter = await run('log-writer', 'log-writer run', () => logWriterRun(context));
  } finally {
    sampler.stop();
    progress('system: stopping');
    await system.stop();
    rmSync(scratch, { recursive: true, force: true });
  }

  progress('analysis: reading the received events, the event log, the outcomes and the command topics');
  const events: BenchEvent[] =
    (await attempt('reading the received events and the event log', () => readEventLog(client))) ?? [];
  const outcomes: OutcomeRecord[] =
    (await attempt('reading the outcomes topic', () => readOutcomeRecords(client))) ?? [];
  const commandsOf = (command: string) =>
    attempt(`reading the command topic of ${command}`, () => readCommandRecords(client, command));
  // The downstream and latency runs send the plain command, the retry run the failing one.
  const plainCommands: CommandRecord[] = (await commandsOf(BENCH_COMMANDS.plain)) ?? [];
  const retried = options.runs.includes('retries') && options.retryMessages > 0;
  const commands = retried ? await commandsOf(BENCH_COMMANDS.failing) : null;
  const timestampType = retried
    ? await attempt(`reading the timestamp type of the command topic`, () =>
        commandTimestampType(client, BENCH_COMMANDS.failing),
      )
    : null;
  await removeTopics(client, progress);
  const idle = sampler.usage('idle');
  const load = sampler.usage('load');
  const downstream = throughputOf(events, outcomes, plainCommands, RUN_SOURCES.downstream);
  const duringLoad = sampler.loadAverage();
  return {
    ...resultHeader(),
    load: {
      idleBusyCores: round(sampler.machineBusyCores('idle') ?? NaN, 2),
      loadBusyCores: round(sampler.machineBusyCores('load') ?? NaN, 2),
      before: loadBefore,
      duringMax1m: duringLoad.max === null ? null : round(duringLoad.max),
      duringMean1m: duringLoad.mean === null ? null : round(duringLoad.mean),
      after: loadavg().map((n) => round(n)),
    },
    settings,
    limits,
    downstreamMsgPerSec: downstream?.msgPerSec ?? null,
    downstream,
    recordsPerMessage: records.downstream,
    recordsPerRetriedMessage: records.retries,
    latency: events.length > 0 ? latencyOf(events, outcomes, plainCommands, RUN_SOURCES.latency) : null,
    upstream: upstreamOf(events, upstreamSends),
    retries:
      events.length > 0 && commands !== null
        ? retriesOf(events, RUN_SOURCES.retries, commands, timestampType)
        : null,
    logWriter,
    resources: Object.fromEntries(
      watched().map(({ name }) => [name, { idle: idle[name] ?? null, load: load[name] ?? null }]),
    ),
    problems,
  };
}

/** The pid of the local broker tools/kafka started, from its pid file; null for an external cluster. */
export function localBrokerPid(workspace: string, brokers: string): number | null {
  const port = /^localhost:(\d+)$/.exec(brokers)?.[1];
  if (!port) return null;
  const file = join(workspace, '.local', 'kafka', `broker-${port}.pid`);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The command topic's `message.timestamp.type`: whose clock the retry lateness is read on. */
async function commandTimestampType(client: KafkaClient, command: string): Promise<TimestampType> {
  const offsets = client.createNamespaceOffsets();
  try {
    return await offsets.timestampType(client.topics.command(command));
  } finally {
    await offsets.disconnect();
  }
}

/** Deletes the run's topics (its namespace's), which a full run fills with about a gigabyte on a shared broker. */
export async function removeTopics(client: KafkaClient, progress: (message: string) => void): Promise<void> {
  const admin = client.createAdmin();
  try {
    const deleted = await admin.deleteTopicsStartingWith(`${client.topics.namespace}.`);
    progress(`cleanup: deleted the run's ${deleted.length} topics`);
  } catch (error) {
    progress(
      `cleanup: the run's topics (${client.topics.namespace}.*) are left: ${(error as Error).message}`,
    );
  } finally {
    await admin.disconnect();
  }
}
