import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TENANT, TestSystem, TopicObserver, type ServiceProcess } from '@smartlink/system-harness';
import { uniqueName, waitFor, type SimEnqueued, type SimMessage } from '@smartlink/testing';
import {
  leaseIntervals,
  longestFlat,
  percentile,
  takeover,
  tokenRuns,
  type CounterSample,
} from './support/replica-measures';
import { writeCaseResults } from './support/case-results';
import { handlerRunsIn, repeatedRuns, unexplainedRepeats } from './support/duplicates';
import { successCounts as countSuccesses, successTimes } from './support/success-rows';
import { traceLost } from './support/lost-trace';
import { manifestGroupSettings } from './support/manifest-settings';
import { ServiceSupervisor } from './support/service-supervisor';
import { COMMANDS } from './support/workload';

// Two replicas of every service under steady load while one replica at a time is SIGKILLed and restarted, as
// Kubernetes restarts a pod. Measures how long the standby poller takes to take over and how long each kill stalls
// the surviving replica of a consumer group; asserts nothing is lost, nothing is acked before it is durable and the
// poller's lease is never held by two replicas at once.

const CASE = 'replicas';
/** The consumer group settings of docker/k8s/base, which the case runs with unless told otherwise. */
const MANIFESTS = manifestGroupSettings();
/** The consumer session: the manifests' (or the services' default, 30 s), or REPLICAS_SESSION_TIMEOUT_MS. */
const SESSION_TIMEOUT_MS = process.env['REPLICAS_SESSION_TIMEOUT_MS'] ?? MANIFESTS.sessionTimeoutMs;
/**
 * The consumers' client, group protocol and membership, as the manifests set them unless overridden to compare:
 * REPLICAS_KAFKA_CLIENT (kafkajs, platformatic), REPLICAS_GROUP_PROTOCOL (classic, consumer) and
 * REPLICAS_STATIC_MEMBERSHIP (true: each replica joins with its instance name as KAFKA_GROUP_INSTANCE_ID, as a pod
 * with its pod name; false: dynamic members).
 */
const GROUP = {
  client: process.env['REPLICAS_KAFKA_CLIENT'] ?? MANIFESTS.client,
  protocol: process.env['REPLICAS_GROUP_PROTOCOL'] ?? MANIFESTS.protocol,
  staticMembership: process.env['REPLICAS_STATIC_MEMBERSHIP']
    ? process.env['REPLICAS_STATIC_MEMBERSHIP'] === 'true'
    : MANIFESTS.staticMembership,
};
/** The steady load, messages a second: REPLICAS_RATE, 20 unless told. */
const RATE = Number(process.env['REPLICAS_RATE'] ?? 20);
/** Messages enqueued per load tick; a tick every TICK_MS. */
const TICK_MS = 500;
const PER_TICK = Math.max(1, Math.round((RATE * TICK_MS) / 1_000));
/** How often each replica's work counters are read. */
const SAMPLE_MS = 250;
/** The consumer-group services, each killed once per round; the active poller is killed twice in the first round. */
const CONSUMERS = ['executor', 'example-segment', 'retry-scheduler', 'log-writer'] as const;
/** How long a dispatched attempt may go without an outcome before the retry scheduler's sweep retries it. */
const DISPATCH_TIMEOUT_MS = 20_000;
/** Rounds of consumer kills: the pause figures are over ROUNDS kills per service. */
const ROUNDS = 2;
const RESULTS_DIR = join(__dirname, '..', 'results');
const LOGS_DIR = join(RESULTS_DIR, 'logs', CASE);
/** The REPLICAS_* settings this run was given, named in its command line. */
const GIVEN = [
  'REPLICAS_SESSION_TIMEOUT_MS',
  'REPLICAS_RATE',
  'REPLICAS_KAFKA_CLIENT',
  'REPLICAS_GROUP_PROTOCOL',
  'REPLICAS_STATIC_MEMBERSHIP',
].flatMap((name) => (process.env[name] ? [`${name}=${process.env[name]}`] : []));
const COMMAND =
  'NX_DAEMON=false npx nx run reliability:reliability -- replicas.reliability' +
  (GIVEN.length > 0 ? ` (with ${GIVEN.join(', ')})` : '');

/** The counters that grow only when the replica processes records of its consumer groups. */
const WORK_COUNTERS: Record<string, RegExp> = {
  executor: /^smartlink_executor_\w+_total$/,
  'example-segment': /^smartlink_segment_handled_total$/,
  'retry-scheduler':
    /^smartlink_(retry_scheduler_(retries_scheduled|retries_rescheduled_again|stale_events|malformed_events)|dead_letters)_total$/,
  'log-writer': /^smartlink_log_writer_consumed_total$/,
};

/** Fast retries: a failed first attempt is retried within a second. */
const POLICY = {
  retry: { maxAttempts: 10, strategy: 'fixed', initialDelayMs: 300, maxDelayMs: 300, jitter: 0 },
};

function note(text: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(join(RESULTS_DIR, `progress-${CASE}.log`), `${new Date().toISOString()} ${text}\n`);
}

/** The n-th message: pings (answered upstream), employee updates, invoices of which three in ten fail once. */
function message(run: string, n: number): SimMessage & { readonly id: string } {
  const id = `${run}-${n}`;
  const kind = n % 10;
  if (kind <= 1) return { style: 'cloudevents', type: 'DemoPing', id, data: { n } };
  if (kind <= 4) return { style: 'cloudevents', type: 'DemoEmployeeUpdated', id, data: { n, name: `e${n}` } };
  return {
    style: 'cloudevents',
    type: 'DemoInvoiceIssued',
    id,
    data: { n, failAttempts: kind >= 7 ? 1 : 0 },
  };
}

/** A kill by the suite and what it measured. */
interface Kill {
  readonly service: string;
  readonly instance: string;
  readonly at: number;
  /** Poller kills: the killed one held the lease. */
  readonly active?: boolean;
  /** The process killed (not in the report). */
  readonly process: ServiceProcess;
}

/** Reads one replica's work counter from its /metrics: the sum of its WORK_COUNTERS samples. */
async function workCounter(process: ServiceProcess): Promise<number | null> {
  const url = `${new URL(process.spec.readyUrl).origin}/metrics`;
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => null);
  if (!response?.ok) return null;
  const pattern = WORK_COUNTERS[process.spec.name] as RegExp;
  let total = 0;
  for (const line of (await response.text()).split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{.*\})? (\S+)$/.exec(line);
    if (sample && pattern.test(sample[1] as string)) total += Number(sample[2]);
  }
  return total;
}

async function leaseHeld(process: ServiceProcess): Promise<boolean> {
  const url = `${new URL(process.spec.readyUrl).origin}/metrics`;
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
  if (!response?.ok) return false;
  return /^smartlink_poller_lease_state\{[^}]*state="active"[^}]*\} 1$/m.test(await response.text());
}

/** The JSON lines of a service log with their time, for the lease log lines. */
function logLines(file: string): { at: number; message: string }[] {
  const lines: { at: number; message: string }[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { timestamp?: string | number; message?: unknown };
      const at =
        typeof parsed.timestamp === 'number' ? parsed.timestamp : Date.parse(String(parsed.timestamp));
      if (Number.isFinite(at) && typeof parsed.message === 'string')
        lines.push({ at, message: parsed.message });
    } catch {
      // a line cut by the kill
    }
  }
  return lines;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

describe('replicas: two of every service under random kills', () => {
  const run = uniqueName('rep');
  const namespace = uniqueName('replicas');
  const startedAt = Date.now();
  let system: TestSystem;
  let supervisor: ServiceSupervisor;
  let reader: TopicObserver | undefined;
  const enqueued: SimEnqueued[] = [];
  /** When each message id was handed to the simulated cloud. */
  const enqueuedAt = new Map<string, number>();
  const kills: Kill[] = [];
  /** Work counter samples per process life (instance + pid). */
  const samples = new Map<string, { instance: string; service: string; samples: CounterSample[] }>();
  let sampling: NodeJS.Timeout | undefined;
  let feeding: Promise<void> | undefined;
  let feed = true;
  let result: Record<string, unknown> = {};
  let passed = false;

  beforeAll(async () => {
    rmSync(LOGS_DIR, { recursive: true, force: true });
    rmSync(join(RESULTS_DIR, `progress-${CASE}.log`), { force: true });
    const session: Record<string, string> = {
      ...(SESSION_TIMEOUT_MS && { KAFKA_SESSION_TIMEOUT_MS: SESSION_TIMEOUT_MS }),
      KAFKA_CLIENT: GROUP.client,
      KAFKA_GROUP_PROTOCOL: GROUP.protocol,
    };
    note(`starting two replicas of every service (session timeout ${SESSION_TIMEOUT_MS ?? 'default'})`);
    system = await TestSystem.start({
      database: 'postgres',
      commands: COMMANDS,
      namespace,
      retryPolicy: POLICY,
      replicas: 2,
      startAtOnce: true,
      readyTimeoutMs: 180_000,
      instanceEnv: (instance, service): Record<string, string> =>
        GROUP.staticMembership && service !== 'smartlink-sim' ? { KAFKA_GROUP_INSTANCE_ID: instance } : {},
      overrides: {
        // 20 s instead of the manifests' 300 s, as in the other cases: a segment killed between committing a group's
        // offset and its started markers landing leaves those attempts to the dispatch sweep (by design, see
        // libs/segment-sdk's CommandChunkProcessor), and the run waits for them.
        executor: { ...session, DISPATCH_TIMEOUT_MS: String(DISPATCH_TIMEOUT_MS) },
        'retry-scheduler': { ...session, DISPATCH_TIMEOUT_MS: String(DISPATCH_TIMEOUT_MS) },
        'log-writer': session,
        'example-segment': session,
        poller: session,
      },
    });
    supervisor = new ServiceSupervisor(system);
    supervisor.start();
    note('system up');
  }, 400_000);

  afterAll(async () => {
    feed = false;
    clearInterval(sampling);
    await feeding;
    await supervisor?.stop();
    await reader?.stop();
    await system?.stop();
    if (system) {
      mkdirSync(LOGS_DIR, { recursive: true });
      cpSync(system.logDir, LOGS_DIR, { recursive: true });
      rmSync(system.logDir, { recursive: true, force: true });
    }
    writeCaseResults({
      case: CASE,
      title: 'Two replicas of every service under random SIGKILLs: takeover, rebalance pauses, nothing lost',
      command: COMMAND,
      passed,
      durationS: Math.round((Date.now() - startedAt) / 1_000),
      settings: (result['settings'] as Record<string, unknown>) ?? {},
      table: (result['table'] as [string, string][]) ?? [],
      raw: (result['raw'] as Record<string, unknown>) ?? {},
    });
  }, 180_000);

  const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

  function startSampling(): void {
    sampling = setInterval(() => {
      for (const process of system.processes) {
        if (!(process.spec.name in WORK_COUNTERS) || process.pid === null) continue;
        const key = `${process.instance}#${process.pid}`;
        void workCounter(process).then((value) => {
          if (value === null) return;
          const life = samples.get(key) ?? {
            instance: process.instance,
            service: process.spec.name,
            samples: [],
          };
          life.samples.push({ at: Date.now(), value });
          samples.set(key, life);
        });
      }
    }, SAMPLE_MS);
  }

  /** Steady load: PER_TICK messages every TICK_MS, so every consumer group always has work while kills land. */
  async function feedLoad(): Promise<void> {
    let n = 0;
    while (feed) {
      const tick = Date.now();
      const batch = Array.from({ length: PER_TICK }, () => message(run, n++));
      for (const m of batch) enqueuedAt.set(m.id, tick);
      enqueued.push(...(await system.sim.enqueue(TENANT, batch)));
      // Pacing the load generator, not waiting on an outcome.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - (Date.now() - tick))));
    }
  }

  const idsOf = () => [...new Set(enqueued.map((e) => e.id))];

  const successCounts = (ids: readonly string[]) => countSuccesses(system.tables, ids);

  /** The work counter of the current life of `instance`, once it has processed something. */
  const lifeOf = (instance: string) => {
    const pid = system.service(instance).pid;
    return samples.get(`${instance}#${pid}`)?.samples ?? [];
  };

  /** Every replica running, ready, and (consumers) the restarted one processing: the group is whole again. */
  async function settled(after: Kill | undefined): Promise<void> {
    // The exit of a SIGKILLed process is seen a moment later: until then it still looks running.
    if (after) {
      await waitFor(() => !after.process.running && system.service(after.instance) !== after.process, {
        description: `${after.instance} to be restarted`,
        timeoutMs: 180_000,
      });
    }
    await waitFor(() => supervisor.settled, { description: 'every replica running', timeoutMs: 180_000 });
    if (after && after.service !== 'poller') {
      await waitFor(
        () => {
          const life = lifeOf(after.instance);
          return life.length > 1 && (life.at(-1)?.value ?? 0) > (life[0]?.value ?? 0);
        },
        { description: `${after.instance} to process again after its restart`, timeoutMs: 180_000 },
      ).catch(withLogs);
    }
    if (after?.service === 'poller') {
      await waitFor(
        async () => (await Promise.all(system.replicasOf('poller').map(leaseHeld))).some(Boolean),
        {
          description: 'a poller to hold the lease',
          timeoutMs: 120_000,
        },
      ).catch(withLogs);
    }
  }

  it('keeps working through a SIGKILL of one replica of each service, the active poller twice', async () => {
    startSampling();
    feeding = feedLoad();
    // A calm stretch first: each replica's longest flat counter here is the noise floor of the pause figures.
    await waitFor(
      () => system.processes.every((p) => !(p.spec.name in WORK_COUNTERS) || lifeOf(p.instance).length > 0),
      {
        description: 'a counter sample of every replica',
        timeoutMs: 60_000,
      },
    );
    // Replicas that joined their groups last get work only once the first rebalances are over.
    await waitFor(
      () =>
        system.processes.every((p) => {
          if (!(p.spec.name in WORK_COUNTERS)) return true;
          const life = lifeOf(p.instance);
          return life.length > 1 && (life.at(-1)?.value ?? 0) > (life[0]?.value ?? 0);
        }),
      { description: 'every replica to process records', timeoutMs: 180_000 },
    ).catch(withLogs);
    const calmFrom = Date.now();
    await waitFor(async () => (await successCounts(idsOf())).size >= 400, {
      description: '400 messages to succeed before the first kill',
      timeoutMs: 180_000,
      intervalMs: 500,
    }).catch(withLogs);
    const calmUntil = Date.now();
    result['calm'] = { from: calmFrom, until: calmUntil };

    // Each round the consumer services in random order; in the first the active poller is killed after the first and
    // the third of them, so each takeover starts from a standby that has been up for a while.
    const order: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const consumers = [...CONSUMERS].sort(() => Math.random() - 0.5);
      order.push(
        ...(round === 0
          ? [consumers[0], 'poller', consumers[1], consumers[2], 'poller', consumers[3]]
          : consumers),
      );
    }
    let last: Kill | undefined;
    for (const service of order) {
      await settled(last);
      // A random moment of the steady load: after a random number (20-80) of further messages succeeded.
      const before = (await successCounts(idsOf())).size;
      const further = 20 + Math.floor(Math.random() * 60);
      await waitFor(async () => (await successCounts(idsOf())).size >= before + further, {
        description: `${further} more messages to succeed before killing a ${service}`,
        timeoutMs: 120_000,
        intervalMs: 250,
      }).catch(withLogs);
      let target: ServiceProcess;
      let active: boolean | undefined;
      if (service === 'poller') {
        const held = await Promise.all(system.replicasOf('poller').map(leaseHeld));
        target = system.replicasOf('poller')[held.indexOf(true)] as ServiceProcess;
        active = held.includes(true);
        if (!active) throw new Error('no poller holds the lease');
      } else {
        const replicas = system.replicasOf(service);
        target = replicas[Math.floor(Math.random() * replicas.length)] as ServiceProcess;
      }
      const kill: Kill = {
        service,
        instance: target.instance,
        at: Date.now(),
        process: target,
        ...(active && { active }),
      };
      supervisor.kill(target);
      kills.push(kill);
      note(`killed ${kill.instance}${active ? ' (active poller)' : ''}`);
      last = kill;
    }
    await settled(last);
    feed = false;
    await feeding;
    note(`load stopped at ${idsOf().length} messages`);
    const ids = idsOf();
    await waitFor(async () => (await successCounts(ids)).size === ids.length, {
      description: `all ${ids.length} messages to succeed`,
      timeoutMs: 180_000,
      intervalMs: 1_000,
    }).catch(withLogs);
    clearInterval(sampling);
    expect(kills.map((k) => k.service)).toEqual(order);
  });

  it('loses nothing, acks nothing before it is durable, and lets one poller at a time drain the queue', async () => {
    const ids = idsOf();
    const counts = await successCounts(ids);
    const lost = ids.filter((id) => !counts.has(id));
    const succeededTwice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);

    // The cloud: everything acked; every acked delivery on the received topic as `received`.
    await waitFor(async () => (await system.sim.tenantStats(TENANT))?.inFlight === 0, {
      description: 'nothing in flight in the cloud',
      timeoutMs: 60_000,
    });
    const tenant = await system.sim.tenantStats(TENANT);
    const acked = await system.sim.acked(TENANT);
    reader = new TopicObserver(process.env['KAFKA_BROKERS'] as string, namespace);
    const receivedTopic = reader.topics.received;
    await reader.collect(receivedTopic);
    const byBroker = new Map(enqueued.map((e) => [e.messageId, e.id]));
    // The observer reads the received topic from the start in the background: wait until it has caught up.
    const notOnEventLog = () => {
      const received = new Set(
        (reader as TopicObserver)
          .records(receivedTopic)
          .filter((r) => (JSON.parse(r.value.toString('utf8')) as { type?: string }).type === 'received')
          .map((r) => r.key),
      );
      return acked.entries.filter((a) => !received.has(byBroker.get(a.messageId) ?? a.messageId));
    };
    await waitFor(() => notOnEventLog().length === 0, {
      description: 'every acked delivery on the received topic',
      timeoutMs: 90_000,
      intervalMs: 1_000,
    }).catch(() => undefined);
    const ackedNotDurable = notOnEventLog();
    // Where each lost message stopped, for whoever reads a failed run (the database is dropped afterwards).
    const lostTrace =
      lost.length === 0
        ? []
        : await traceLost(
            system.tables,
            reader,
            [
              receivedTopic,
              reader.topics.events,
              reader.topics.outcomes,
              ...COMMANDS.map((command) => reader?.topics.command(command) as string),
            ],
            lost.slice(0, 10),
          );

    // Duplicate handler runs over every life of both segment replicas, each judged against the deaths that can
    // explain it (support/duplicates.ts): successful runs beyond the first, per message.
    const handlerRuns = supervisor
      .logFiles()
      .filter((f) => f.includes('example-segment'))
      .flatMap((file) => handlerRunsIn(readFileSync(file, 'utf8')));
    const causes = supervisor.deaths
      .filter((d) => ['executor', 'example-segment', 'retry-scheduler'].includes(d.service))
      .map((d) => ({ what: `${d.instance} ${d.cause}`, at: d.at }));
    const unexplained = unexplainedRepeats(handlerRuns, causes, 10_000);
    const duplicateRuns = repeatedRuns(handlerRuns);

    // (a) Takeover: the active poller's death → the first get by another token (another process).
    const gets = (await system.sim.gets(TENANT)).entries.map((g) => ({
      tokenId: g.tokenId,
      at: Date.parse(g.at),
    }));
    const pollerKills = kills.filter((k) => k.service === 'poller');
    const takeovers = pollerKills.map((k) => {
      const next = takeover(gets, k.at);
      return {
        killed: k.instance,
        killedAt: new Date(k.at).toISOString(),
        takeoverMs: next ? next.at - k.at : null,
      };
    });
    // Lease log lines: when the new holder logged "taken", for the same kills.
    const pollerLogs = supervisor.deaths
      .filter((d) => d.service === 'poller')
      .map((d) => ({
        instance: d.instance,
        file: d.logFile,
        diedAt: d.at,
      }))
      .concat(
        system
          .replicasOf('poller')
          .map((p) => ({ instance: p.instance, file: p.logFile, diedAt: Date.now() })),
      );
    const leaseHolds = pollerLogs.flatMap(({ instance, file, diedAt }) =>
      leaseIntervals(logLines(file), diedAt ?? Date.now()).map((i) => ({ instance, file, ...i })),
    );
    const leaseTakenAfter = pollerKills.map((k) => {
      const taken = leaseHolds.filter((h) => h.from > k.at).sort((a, b) => a.from - b.from)[0];
      return taken ? taken.from - k.at : null;
    });
    const overlaps = leaseHolds.flatMap((a, i) =>
      leaseHolds
        .slice(i + 1)
        .filter((b) => b.file !== a.file && a.from < b.to && b.from < a.to)
        .map((b) => `${a.instance} [${a.from}, ${a.to}] and ${b.instance} [${b.from}, ${b.to}]`),
    );
    const runs = tokenRuns(gets);
    const tokensInTwoRuns = [...new Set(runs.map((r) => r.tokenId))].filter(
      (t) => runs.filter((r) => r.tokenId === t).length > 1,
    );

    // (b) Rebalance pauses: per consumer kill, the surviving replica's longest flat stretch of its work counter from
    // the kill until the restarted replica processed again.
    const calm = result['calm'] as { from: number; until: number };
    const noise: Record<string, number> = {};
    for (const { instance, samples: s } of samples.values()) {
      // Only the lives that ran through the whole calm stretch: a later life has no samples in it.
      if ((s[0]?.at ?? Infinity) > calm.from) continue;
      const flat = longestFlat(s, calm.from, calm.until);
      noise[instance] = Math.max(noise[instance] ?? 0, flat.to - flat.from);
    }
    const pauses = kills
      .filter((k) => k.service !== 'poller')
      .map((k) => {
        const survivor = system
          .replicasOf(k.service)
          .find((p) => p.instance !== k.instance) as ServiceProcess;
        const lives = [...samples.values()].filter((l) => l.instance === survivor.instance);
        const survivorLife = lives.find(
          (l) => (l.samples[0]?.at ?? Infinity) < k.at && (l.samples.at(-1)?.at ?? 0) > k.at,
        );
        const restarted = [...samples.values()]
          .filter((l) => l.instance === k.instance && (l.samples[0]?.at ?? 0) > k.at)
          .map((l) => l.samples.find((s, i) => i > 0 && s.value > (l.samples[0]?.value ?? 0))?.at)
          .find((at) => at !== undefined);
        const until = restarted ?? k.at + 120_000;
        const flat = survivorLife ? longestFlat(survivorLife.samples, k.at, until) : null;
        return {
          service: k.service,
          killed: k.instance,
          survivor: survivor.instance,
          killedAt: new Date(k.at).toISOString(),
          pauseMs: flat ? flat.to - flat.from : null,
          pauseStartsAfterKillMs: flat ? flat.from - k.at : null,
          stillFlatAtWindowEnd: flat?.open ?? null,
          restartedReplicaProcessedAfterMs: restarted ? restarted - k.at : null,
          survivorNoiseFloorMs: noise[survivor.instance] ?? null,
        };
      });

    // (c) What the messages saw: enqueue → first success row. In the calm stretch (the floor), and for each consumer
    // kill the longest wait of a message enqueued from the kill until the restarted replica processed again — the
    // messages of the dead member's partitions wait however long the group leaves them unowned, which the survivor's
    // pause does not show.
    const finished = await successTimes(system.tables, ids);
    const waitsOf = (from: number, to: number) =>
      [...enqueuedAt]
        .filter(([, at]) => at >= from && at <= to)
        .map(([id, at]) => (finished.get(id) ?? Date.now()) - at);
    const calmWaits = waitsOf(calm.from, calm.until);
    const messageWaits = kills
      .filter((k) => k.service !== 'poller')
      .map((k) => {
        const pause = pauses.find(
          (p) => p.killed === k.instance && p.killedAt === new Date(k.at).toISOString(),
        );
        const waits = waitsOf(k.at, k.at + (pause?.restartedReplicaProcessedAfterMs ?? 60_000));
        return {
          service: k.service,
          killed: k.instance,
          messages: waits.length,
          p50Ms: percentile(waits, 50),
          p99Ms: percentile(waits, 99),
          maxMs: percentile(waits, 100),
        };
      });
    const takeoverMs = takeovers.map((t) => t.takeoverMs).filter((t): t is number => t !== null);
    const pauseMs = pauses.map((p) => p.pauseMs).filter((t): t is number => t !== null);
    const settings = {
      replicas: 2,
      dispatchTimeoutMs: DISPATCH_TIMEOUT_MS,
      consumerSessionTimeoutMs: SESSION_TIMEOUT_MS ? Number(SESSION_TIMEOUT_MS) : 30_000,
      kafkaClient: GROUP.client,
      groupProtocol: GROUP.protocol,
      staticMembership: GROUP.staticMembership,
      pollerLeaseSessionTimeoutMs: 10_000,
      loadMessagesPerSecond: (PER_TICK * 1_000) / TICK_MS,
      failingFirstAttempt: '3 in 10 messages (invoices)',
      counterSampleIntervalMs: SAMPLE_MS,
      brokers: 'the shared single-node broker',
      database: 'PostgreSQL, a scratch database',
    };
    result = {
      settings,
      table: [
        ['messages enqueued', String(ids.length)],
        ['lost', String(lost.length)],
        ['succeeded twice (more than one success row)', String(succeededTwice.length)],
        ['duplicate handler runs at the segments', String(duplicateRuns)],
        ['acked before durable', String(ackedNotDurable.length)],
        ['kills', kills.map((k) => `${k.instance}${k.active ? ' (active)' : ''}`).join(', ')],
        [
          'standby poller takeover, p50 / max',
          `${seconds(percentile(takeoverMs, 50))} / ${seconds(percentile(takeoverMs, 100))} s`,
        ],
        ...CONSUMERS.map((service): [string, string] => [
          `pause of the other ${service} after each ${service} kill`,
          pauses
            .filter((p) => p.service === service)
            .map((p) => `${seconds(p.pauseMs)}${p.stillFlatAtWindowEnd ? ' (not resumed)' : ''}`)
            .join(', ') + ' s',
        ]),
        [
          'pause of the survivor over all consumer kills, p50 / p99 / max',
          `${seconds(percentile(pauseMs, 50))} / ${seconds(percentile(pauseMs, 99))} / ${seconds(percentile(pauseMs, 100))} s`,
        ],
        [
          'enqueue → success in the calm stretch, p99 / max',
          `${seconds(percentile(calmWaits, 99))} / ${seconds(percentile(calmWaits, 100))} s`,
        ],
        ...CONSUMERS.filter((service) => service !== 'log-writer').map((service): [string, string] => [
          `enqueue → success of messages enqueued while one ${service} was down, max per kill`,
          messageWaits
            .filter((w) => w.service === service)
            .map((w) => seconds(w.maxMs))
            .join(', ') + ' s',
        ]),
        ['lease held by two pollers at once', String(overlaps.length + tokensInTwoRuns.length)],
      ],
      raw: {
        namespace,
        calm: { from: new Date(calm.from).toISOString(), until: new Date(calm.until).toISOString() },
        enqueued: ids.length,
        lost: lost.length,
        lostIds: lost.slice(0, 20),
        lostTrace,
        succeededTwice: succeededTwice.length,
        duplicateHandlerRuns: duplicateRuns,
        unexplainedRepeats: unexplained.length,
        ackedTotal: acked.total,
        redelivered: acked.entries.filter((a) => a.deliveryCount > 1).length,
        ackedNotDurable: ackedNotDurable.length,
        cloud: tenant,
        kills: kills.map(({ process: _process, ...kill }) => ({
          ...kill,
          at: new Date(kill.at).toISOString(),
        })),
        takeovers: takeovers.map((t, i) => ({ ...t, leaseTakenLogAfterMs: leaseTakenAfter[i] ?? null })),
        takeoverMsP50: percentile(takeoverMs, 50),
        takeoverMsMax: percentile(takeoverMs, 100),
        pauses,
        calmWaits: {
          messages: calmWaits.length,
          p50Ms: percentile(calmWaits, 50),
          p99Ms: percentile(calmWaits, 99),
          maxMs: percentile(calmWaits, 100),
        },
        messageWaits,
        pauseMsP50: percentile(pauseMs, 50),
        pauseMsMax: percentile(pauseMs, 100),
        noiseFloorMs: noise,
        getRuns: runs.map((r) => ({
          ...r,
          from: new Date(r.from).toISOString(),
          to: new Date(r.to).toISOString(),
        })),
        leaseHolds: leaseHolds.map(({ instance, from, to }) => ({
          instance,
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        })),
        leaseOverlaps: overlaps,
        tokensInTwoRuns,
        deaths: supervisor.deaths.map((d) => `${d.instance} ${d.cause}`),
        restartFailures: supervisor.restartFailures,
      },
    };
    process.stdout.write(`${CASE}: ${JSON.stringify(result['table'])}\n`);

    expect(lost).toEqual([]);
    expect(unexplained.slice(0, 10)).toEqual([]);
    expect(ackedNotDurable.map((a) => a.messageId)).toEqual([]);
    expect({ overlaps, tokensInTwoRuns }).toEqual({ overlaps: [], tokensInTwoRuns: [] });
    expect(takeovers.filter((t) => t.takeoverMs === null)).toEqual([]);
    expect(pauses.filter((p) => p.pauseMs === null)).toEqual([]);
    expect(new Set(kills.map((k) => k.service))).toEqual(new Set([...CONSUMERS, 'poller']));
    expect(pollerKills.filter((k) => k.active).length).toBeGreaterThanOrEqual(2);
    passed = true;
  });
});
