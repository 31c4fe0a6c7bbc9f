import { loadavg } from 'node:os';
import { KafkaClient, parseKafkaSettings } from '@smartlink/messaging';
import { TENANT, TestSystem } from '@smartlink/system-harness';
import { uniqueName, waitFor, type SimMessage } from '@smartlink/testing';
import { removeTopics, type BenchEnvironment } from '../bench-runner';
import type { MachineInfo } from '../report/bench-result';
import { BENCH_COMMANDS, paced, payload, sleep, systemConsumerGroups } from '../runs/bench-context';
import { benchRetryPolicy } from '../runs/retry-run';
import { machineInfo } from '../system/machine-info';
import { workspaceCommit } from '../system/run-directory';
import { DEPLOYED_SERVICES, deployedMemory } from '../system/deployed-memory';
import { ServiceKiller } from './service-killer';
import type { SoakKill, SoakSample } from './soak-sample';
import { SoakSampler, type SoakWatched } from './soak-sampler';
import { serverAutovacuum, vacuumTables } from './table-sizes';
import type { SoakOptions } from './soak-options';

/** The client's services: the ones killed, and the ones run under the manifests' heap caps. */
export const SOAK_KILLABLE = DEPLOYED_SERVICES;

/** How long the system may take to work off what is left once the load stops. */
const DRAIN_TIMEOUT_MS = 180_000;

/** Share of the offered messages that are DemoPing, whose DemoPong reply exercises the upstream path and send faults. */
const PING_SHARE = 0.05;

/** The cloud faults of a soak: each at `probability` per request to get, ack and send. */
export function soakFaults(probability: number): unknown {
  if (probability === 0) return { rules: [] };
  const endpoints = ['get', 'ack', 'send'];
  return {
    rules: [
      { kind: 'error', status: 503, endpoints, probability },
      { kind: 'throttle', endpoints, probability, retryAfter: 1 },
      { kind: 'reset', endpoints, probability },
    ],
  };
}

/** Which command message `seq` is: a spread-out share fails its first attempt, another share is a ping. */
export function soakMessage(
  seq: number,
  options: Pick<SoakOptions, 'failingShare' | 'messageBytes'>,
): SimMessage {
  const every = (n: number, share: number) => Math.floor((n + 1) * share) > Math.floor(n * share);
  const failShare = options.failingShare;
  if (every(seq, failShare)) {
    return {
      style: 'cloudevents',
      type: BENCH_COMMANDS.failing,
      source: 'bench-soak',
      data: payload(seq, options.messageBytes, { failAttempts: 1 }),
    };
  }
  return {
    style: 'cloudevents',
    // Pings are spread over the messages that do not fail, so the two shares never pick the same message.
    type: every(seq - Math.floor((seq + 1) * failShare), Math.min(1, PING_SHARE / (1 - failShare)))
      ? 'DemoPing'
      : BENCH_COMMANDS.plain,
    source: 'bench-soak',
    data: payload(seq, options.messageBytes),
  };
}

/** What a soak run leaves behind: settings, machine, every reading and every kill; the trends are computed from it. */
export interface SoakResult {
  readonly schema: 'smartlink-soak/v1';
  readonly command: string;
  /** The commit the run measured (`-dirty`: with uncommitted changes); absent from results of older runs. */
  readonly commit?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly settings: SoakOptions & {
    readonly heapCapsBy: Readonly<Record<string, string>>;
    /** The MALLOC_* settings every client service ran with; absent from results of older runs. */
    readonly mallocEnv?: Readonly<Record<string, string>>;
    readonly faults: unknown;
    readonly pingShare: number;
  };
  /** Seconds since the load started at which the load ended (the drain's readings come after). */
  readonly loadEndS: number;
  readonly services: readonly string[];
  readonly groups: readonly string[];
  readonly samples: readonly SoakSample[];
  readonly kills: readonly SoakKill[];
  /** The server's autovacuum setting; null when unread (older results). */
  readonly serverAutovacuum?: boolean | null;
  /** The bench's own VACUUM (ANALYZE) runs, standing in for autovacuum when the server has it off. */
  readonly vacuums?: ReadonlyArray<{
    readonly t: number;
    readonly durationS: number;
    readonly error?: string;
  }>;
  /** After the drain: what the cloud got and what the tables hold. */
  readonly end: {
    readonly offered: number;
    readonly acked: number | null;
    readonly undoneRows: number | null;
    readonly drained: boolean;
  };
  readonly problems: readonly string[];
}

/**
 * A soak: the whole system as processes under the manifests' heap caps, fed at a steady rate with a share of
 * messages failing once, with cloud faults on, one random client service SIGKILLed and restarted every few minutes,
 * and everything read every few seconds. The load runs for `minutes`; then the system drains and stops.
 */
export async function runSoak(options: SoakOptions, env: BenchEnvironment): Promise<SoakResult> {
  const { progress } = env;
  const startedAtIso = new Date().toISOString();
  const commit = workspaceCommit(env.workspace);
  const loadBefore = loadavg().map((n) => Math.round(n * 10) / 10);
  const problems: string[] = [];
  const namespace = uniqueName('soak');
  const client = new KafkaClient(
    parseKafkaSettings({
      KAFKA_BROKERS: env.brokers,
      SMARTLINK_TOPIC_NAMESPACE: namespace,
      KAFKA_CLIENT_ID: 'smartlink-soak',
      KAFKA_LOG_LEVEL: 'error',
    }),
  );
  // The simulator plays the cloud: not a client service, so it runs without caps (it keeps up to 100,000 acks and
  // sends in memory by design).
  const { heapCapsBy, mallocEnv, envBy } = deployedMemory(env.workspace, options);
  const faults = soakFaults(options.faultProbability);
  const overrides: Record<string, Record<string, string>> = {
    ...envBy,
    'smartlink-sim': { SIM_FAULTS: JSON.stringify(faults) },
  };

  progress(`system: starting the services${options.heapCaps ? ' with the heap caps of docker/k8s' : ''}`);
  const system = await TestSystem.start({
    database: 'postgres',
    commands: [BENCH_COMMANDS.plain, BENCH_COMMANDS.failing, 'DemoPing'],
    namespace,
    overrides,
    retryPolicy: benchRetryPolicy(options.retryDelayMs),
  });
  const startedAt = Date.now();
  const killer = new ServiceKiller(system, startedAt);
  const services = system.processes.map((p) => p.spec.name);
  const watched: SoakWatched[] = system.processes.map((p) => ({
    name: p.spec.name,
    pid: () => system.service(p.spec.name).pid,
    life: () => killer.life(p.spec.name),
    ...(p.spec.readyUrl.endsWith('/health/ready') && {
      metricsUrl: p.spec.readyUrl.replace(/\/health\/ready$/, '/metrics'),
    }),
  }));
  const ns = client.topics.namespace;
  // A group that reads several topics (the executor's on the received topic and the event log) is one entry.
  const topicsOf = new Map<string, string[]>();
  for (const [group, topic] of systemConsumerGroups(client.topics)) {
    topicsOf.set(group, [...(topicsOf.get(group) ?? []), topic]);
  }
  const groups: Array<readonly [string, readonly string[]]> = [
    ...topicsOf,
    // segmentGroupId of the segment SDK, which the bench may not import (lint: type:sdk); SEGMENT_NAME=example.
    [
      `${ns}.segment.example`,
      [BENCH_COMMANDS.plain, BENCH_COMMANDS.failing, 'DemoPing'].map((c) => client.topics.command(c)),
    ],
  ];
  const databaseUrl = system.service('executor').spec.env['DB_URL'] ?? '';
  let offered = 0;
  const sampler = new SoakSampler(
    {
      services: watched,
      client,
      groups,
      sim: system.sim,
      tenant: TENANT,
      databaseUrl,
      retrySchedulerMetricsUrl: (watched.find((w) => w.name === 'retry-scheduler')?.metricsUrl ??
        '') as string,
      offered: () => offered,
    },
    startedAt,
  );
  const samples: SoakSample[] = [];
  const kills: SoakKill[] = [];
  const autovacuum = await serverAutovacuum(databaseUrl).catch(() => null);
  const vacuums: Array<{ t: number; durationS: number; error?: string }> = [];
  const durationMs = options.minutes * 60_000;
  let sampling = true;
  const samplingLoop = (async () => {
    while (sampling) {
      const next = Date.now() + options.sampleSeconds * 1000;
      try {
        const sample = await sampler.sample();
        samples.push(sample);
        if (samples.length % Math.max(1, Math.round(60 / options.sampleSeconds)) === 0) {
          progress(describe(sample));
        }
      } catch (error) {
        progress(`sample failed: ${(error as Error).message}`);
      }
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  const vacuumLoop = (async () => {
    if (autovacuum !== false || options.vacuumSeconds === 0) return;
    progress(
      `database: the server's autovacuum is off; VACUUM (ANALYZE) every ${options.vacuumSeconds} s in its stead`,
    );
    for (;;) {
      await sleep(options.vacuumSeconds * 1000);
      if (!sampling) return;
      const began = Date.now();
      const t = Math.round((began - startedAt) / 100) / 10;
      try {
        await vacuumTables(databaseUrl);
        vacuums.push({ t, durationS: Math.round((Date.now() - began) / 100) / 10 });
      } catch (error) {
        vacuums.push({
          t,
          durationS: Math.round((Date.now() - began) / 100) / 10,
          error: (error as Error).message,
        });
      }
    }
  })();
  let loadEndS = options.minutes * 60;
  let end: SoakResult['end'] = { offered: 0, acked: null, undoneRows: null, drained: false };
  try {
    progress(
      `load: ${options.rate} msg/s for ${options.minutes} min, ${Math.round(options.failingShare * 100)} % failing once, ` +
        `cloud faults at ${options.faultProbability}, a kill every ${options.killEveryMinutes} min`,
    );
    const killingLoop = (async () => {
      if (options.killEveryMinutes === 0) return;
      const every = options.killEveryMinutes * 60_000;
      for (let k = 1; k * every < durationMs; k += 1) {
        await sleep(Math.max(0, startedAt + k * every - Date.now()));
        const service = SOAK_KILLABLE[Math.floor(Math.random() * SOAK_KILLABLE.length)] as string;
        progress(`kill: SIGKILL ${service}`);
        const kill = await killer.killAndRestart(service);
        kills.push(kill);
        if (kill.restartS === null)
          problems.push(`${service} did not come back after SIGKILL: ${kill.error}`);
        progress(
          `kill: ${service} ${kill.restartS === null ? 'NOT restarted' : `ready again after ${kill.restartS} s`}`,
        );
      }
    })();
    await paced(options.rate * options.minutes * 60, options.rate, async (from, count) => {
      const messages = Array.from({ length: count }, (_, k) => soakMessage(from + k, options));
      await system.sim.enqueue(TENANT, messages);
      offered = from + count;
    });
    loadEndS = Math.round((Date.now() - startedAt) / 100) / 10;
    await killingLoop;
    progress('drain: waiting until the cloud queue is acked and GTOTVSLINKMESSAGE is empty');
    let drained = true;
    try {
      await waitFor(
        async () =>
          ((await system.sim.tenantStats(TENANT))?.acked ?? 0) >= offered &&
          (await system.tables.messages.countUndone()) === 0,
        { description: 'the system to drain', timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 1_000 },
      );
    } catch (error) {
      drained = false;
      problems.push((error as Error).message.split('\n')[0] as string);
    }
    end = {
      offered,
      acked: (await system.sim.tenantStats(TENANT))?.acked ?? null,
      undoneRows: await system.tables.messages.countUndone().catch(() => null),
      drained,
    };
  } finally {
    sampling = false;
    await samplingLoop;
    await vacuumLoop;
    await sampler.close();
    progress('system: stopping');
    await system.stop();
    await removeTopics(client, progress);
  }
  return {
    schema: 'smartlink-soak/v1',
    command: env.command,
    commit,
    startedAt: startedAtIso,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(env.workspace, 'postgres', env.postgresAdminUrl),
    loadBefore,
    loadAfter: loadavg().map((n) => Math.round(n * 10) / 10),
    settings: { ...options, heapCapsBy, mallocEnv, faults, pingShare: PING_SHARE },
    loadEndS,
    services,
    groups: groups.map(([group]) => group),
    samples,
    kills,
    serverAutovacuum: autovacuum,
    vacuums,
    end,
    problems,
  };
}

function describe(s: SoakSample): string {
  const rss = Object.entries(s.services)
    .map(([name, r]) => `${name} ${r.rssMb === null ? '-' : Math.round(r.rssMb)}`)
    .join(', ');
  const lag = Object.values(s.lag).reduce<number>((sum, l) => sum + (l ?? 0), 0);
  return (
    `t=${Math.round(s.t)} s: offered ${s.offered}, acked ${s.acked ?? '-'} (${s.ackedPerS?.toFixed(0) ?? '-'}/s), ` +
    `lag ${lag}, GTOTVSLINKMESSAGE ${s.tables?.messageRows ?? '-'} rows, RSS MB: ${rss}, load ${s.load1m.toFixed(1)}`
  );
}
