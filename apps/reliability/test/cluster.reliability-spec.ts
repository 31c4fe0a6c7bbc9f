import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttemptStatus } from '@smartlink/rm-tables';
import { PrivateCluster, TENANT, TestSystem, TopicObserver } from '@smartlink/system-harness';
import { uniqueName, waitFor, type SimEnqueued } from '@smartlink/testing';
import { writeCaseResults } from './support/case-results';
import { unexplainedRepeats, type Disruption } from './support/duplicates';
import { ServiceSupervisor } from './support/service-supervisor';
import { COMMANDS, validMessage } from './support/workload';

// The whole pipeline on a three-node KRaft cluster (replication factor 3, min.insync.replicas 2) while its brokers
// fail under load: the leader of the busiest partitions is SIGKILLed, every broker is restarted in turn, the active
// controller is SIGKILLed. Each step's unavailability (the longest gap in success rows and in the cloud's acks,
// Kafka errors the services logged) and duplicates are measured; at the end nothing may be lost, nothing acked by
// the poller may be missing from the received topic, and every partition must be fully replicated again.

const CASE = 'cluster';
const COMMAND = 'NX_DAEMON=false npx nx run reliability:reliability -- cluster.reliability-spec';
/** Messages the cloud queues per tick of the load, and the tick: 20 messages/s, a steady load two cores carry. */
const BATCH = Number(process.env['CLUSTER_BATCH'] ?? 10);
const TICK_MS = 500;
/** Successes each step must add after its fault before the next step starts: the pipeline moves again. */
const PROGRESS = 60;
const RESULTS_DIR = join(__dirname, '..', 'results');
const LOGS_DIR = join(RESULTS_DIR, 'logs', CASE);
const POLICY = {
  retry: { maxAttempts: 30, strategy: 'fixed', initialDelayMs: 300, maxDelayMs: 300, jitter: 0 },
};
/** A handler's success line in the example segment's log (as the main spec counts handler runs). */
const HANDLER_RUN =
  /(?:DemoPing|DemoEmployeeUpdated|DemoInvoiceIssued) (\S+) attempt (\d+): (?:pong|employee update applied|invoice issued)/;

interface Step {
  readonly name: string;
  readonly title: string;
  /** When the fault was injected, and when the step's recovery was complete (ISR full, progress made). */
  faultAt: number;
  recoveredAt: number;
  readonly detail: Record<string, unknown>;
}

/** One JSON log line of a service: Nest's format (timestamp, level, context, message). */
interface LogLine {
  readonly service: string;
  readonly at: number;
  readonly level: string;
  readonly context: string;
  readonly message: string;
}

function progressNote(text: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${CASE}.progress.log`), `${new Date().toISOString()} ${text}\n`, {
    flag: 'a',
  });
}

/** The longest gap between consecutive instants of `times` that falls in [from, to], counting the last one before. */
function longestGap(times: readonly number[], from: number, to: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  const before = sorted.filter((t) => t < from).pop();
  const inside = sorted.filter((t) => t >= from && t <= to);
  const series = before === undefined ? inside : [before, ...inside];
  let gap = 0;
  for (let i = 1; i < series.length; i += 1)
    gap = Math.max(gap, (series[i] as number) - (series[i - 1] as number));
  // No success at all after the fault until `to`: the whole stretch was unavailable.
  const last = series[series.length - 1];
  if (last !== undefined && inside.length === 0) gap = Math.max(gap, to - last);
  return gap;
}

describe('cluster: the pipeline on three KRaft brokers loses nothing while brokers and the controller fail', () => {
  const run = uniqueName('cl');
  const namespace = uniqueName('cluster');
  const workDir = mkdtempSync(join(tmpdir(), 'smartlink-cluster-'));
  let cluster: PrivateCluster;
  let system: TestSystem;
  let supervisor: ServiceSupervisor;
  let reader: TopicObserver | null = null;
  const startedAt = Date.now();
  const enqueued: SimEnqueued[] = [];
  const steps: Step[] = [];
  let feeding: Promise<void> | null = null;
  let feed = false;
  let nextMessage = 0;
  let passed = false;
  const outcome: { table: [string, string][]; raw: Record<string, unknown> } = { table: [], raw: {} };

  beforeAll(async () => {
    rmSync(LOGS_DIR, { recursive: true, force: true });
    rmSync(join(RESULTS_DIR, `${CASE}.progress.log`), { force: true });
    cluster = await PrivateCluster.allocate(join(workDir, 'kafka'));
    await cluster.start();
    progressNote(`cluster up on ${cluster.brokers}`);
    const kafka = {
      // A consumer of a dead broker's group coordinator holds its partitions until its session times out: 6 s (the
      // broker's minimum) instead of 30 s, as in the main spec.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
    };
    system = await TestSystem.start({
      database: 'postgres',
      commands: COMMANDS,
      namespace,
      brokers: cluster.brokers,
      retryPolicy: POLICY,
      overrides: {
        'smartlink-sim': { SIM_VISIBILITY_TIMEOUT_MS: '5000' },
        poller: kafka,
        // The same dispatch timeout for both: the executor counts the commands' start deadlines from it.
        executor: { ...kafka, DISPATCH_TIMEOUT_MS: '20000' },
        'retry-scheduler': { ...kafka, DISPATCH_TIMEOUT_MS: '20000', RETRY_UNPLANNED_GRACE_MS: '15000' },
        'log-writer': kafka,
        'example-segment': kafka,
      },
    });
    supervisor = new ServiceSupervisor(system);
    supervisor.start();
    progressNote('system up');
  }, 400_000);

  afterAll(async () => {
    feed = false;
    await feeding;
    await supervisor?.stop();
    await reader?.stop();
    await system?.stop();
    await cluster?.stop();
    mkdirSync(LOGS_DIR, { recursive: true });
    if (system) cpSync(system.logDir, LOGS_DIR, { recursive: true });
    for (const node of cluster?.nodes ?? []) {
      for (const file of [node.logFile, `${node.logFile}.1`]) {
        if (existsSync(file)) copyFileSync(file, join(LOGS_DIR, file.split('/').pop() as string));
      }
    }
    if (system) rmSync(system.logDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
    writeResults();
  }, 180_000);

  function writeResults(): void {
    const nodes = cluster?.nodes.length ?? 0;
    writeCaseResults({
      case: CASE,
      title:
        'The pipeline on a three-broker KRaft cluster: leader SIGKILL, rolling restart, controller SIGKILL',
      command: COMMAND,
      durationS: Math.round((Date.now() - startedAt) / 1000),
      passed,
      settings: {
        nodes,
        replicationFactor: 3,
        minInsyncReplicas: 2,
        heapPerNode: process.env['KAFKA_CLUSTER_HEAP_OPTS'] ?? '-Xms128m -Xmx384m',
        loadMessagesPerS: (BATCH * 1000) / TICK_MS,
        progressPerStep: PROGRESS,
        sessionTimeoutMs: 6000,
      },
      table: outcome.table as [string, string][],
      raw: outcome.raw,
    });
  }

  const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

  /** The steady load: BATCH valid messages every TICK_MS while `feed` is on. Pacing the load, not a test wait. */
  function startFeeding(): void {
    feed = true;
    feeding = (async () => {
      while (feed) {
        const batch = Array.from({ length: BATCH }, () => validMessage(run, nextMessage++));
        enqueued.push(...(await system.sim.enqueue(TENANT, batch)));
        await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      }
    })();
  }

  const ids = () => enqueued.map((e) => e.id);

  /** Success rows of the run's messages: per message, the finish time of each. */
  async function successRows(): Promise<Map<string, number[]>> {
    const byId = new Map<string, number[]>();
    const all = ids();
    for (let start = 0; start < all.length; start += 1_000) {
      for (const row of await system.tables.attempts.findByMessageIds(all.slice(start, start + 1_000))) {
        if (row.status !== AttemptStatus.Success) continue;
        byId.set(row.messageId, [...(byId.get(row.messageId) ?? []), new Date(row.finishedAt).getTime()]);
      }
    }
    return byId;
  }

  async function succeeded(): Promise<number> {
    return (await successRows()).size;
  }

  async function progressBy(count: number, description: string): Promise<void> {
    const target = (await succeeded()) + count;
    await waitFor(async () => (await succeeded()) >= target, {
      description,
      timeoutMs: 180_000,
      intervalMs: 500,
    }).catch(withLogs);
  }

  async function fullyReplicated(description: string): Promise<void> {
    await waitFor(async () => (await cluster.underReplicated()).length === 0, {
      description,
      timeoutMs: 180_000,
      intervalMs: 1_000,
    });
  }

  async function allNodesRunning(): Promise<boolean> {
    return (await cluster.status()).every((n) => n.running);
  }

  async function systemTopics(): Promise<string[]> {
    const partitions = await cluster.partitions();
    return [...new Set(partitions.map((p) => p.topic).filter((t) => t.startsWith(`${namespace}.`)))];
  }

  function begin(name: string, title: string, detail: Record<string, unknown>): Step {
    const step: Step = { name, title, faultAt: Date.now(), recoveredAt: 0, detail };
    steps.push(step);
    progressNote(`${name}: ${JSON.stringify(detail)}`);
    return step;
  }

  async function finish(step: Step): Promise<void> {
    await fullyReplicated(`every partition fully replicated after ${step.name}`);
    await progressBy(PROGRESS, `${PROGRESS} more successes after ${step.name}`);
    step.recoveredAt = Date.now();
    progressNote(`${step.name}: recovered after ${step.recoveredAt - step.faultAt} ms`);
    expect(await allNodesRunning()).toBe(true);
  }

  it('runs on the cluster: every topic of the system has three replicas', async () => {
    startFeeding();
    await progressBy(PROGRESS, 'the pipeline to get going on the cluster');
    const topics = await systemTopics();
    const partitions = await cluster.partitions(topics);
    expect(topics.length).toBeGreaterThan(3);
    expect(partitions.filter((p) => p.replicas.length !== 3)).toEqual([]);
  });

  it('step 1: SIGKILL the broker leading the busiest partitions under load, restart it on its data', async () => {
    const busiest = await cluster.busiestLeader(await systemTopics());
    const step = begin('leader-kill', 'SIGKILL of the leader of the busiest partitions', { ...busiest });
    await cluster.node(busiest.nodeId).kill('SIGKILL');
    await progressBy(PROGRESS / 2, 'progress with one broker dead');
    await cluster.node(busiest.nodeId).start();
    await finish(step);
    // Recovered within the step: every partition fully replicated again and the pipeline making progress.
    expect(step.recoveredAt).toBeGreaterThan(step.faultAt);
  });

  it('step 2: restart every broker in turn (SIGTERM, rejoin, ISR full, next)', async () => {
    const step = begin('rolling-restart', 'Rolling restart of every broker (SIGTERM)', {
      order: cluster.nodes.map((n) => n.id),
    });
    const perNode: { node: number; downMs: number; rejoinedMs: number }[] = [];
    for (const node of cluster.nodes) {
      const at = Date.now();
      await node.kill('SIGTERM');
      const down = Date.now();
      await node.start();
      await fullyReplicated(`the ISR full again after node ${node.id} rejoined`);
      perNode.push({ node: node.id, downMs: down - at, rejoinedMs: Date.now() - at });
    }
    step.detail['perNode'] = perNode;
    await finish(step);
    // Recovered within the step: every partition fully replicated again and the pipeline making progress.
    expect(step.recoveredAt).toBeGreaterThan(step.faultAt);
  });

  it('step 3: SIGKILL the active controller, restart it', async () => {
    const before = await cluster.quorum();
    const step = begin('controller-kill', 'SIGKILL of the active controller', {
      controller: before.leaderId,
      epoch: before.leaderEpoch,
    });
    await cluster.node(before.leaderId).kill('SIGKILL');
    const after = await waitFor(
      async () => {
        const q = await cluster.quorum();
        return q.leaderId !== before.leaderId && q.leaderEpoch > before.leaderEpoch ? q : null;
      },
      { description: 'a new active controller', timeoutMs: 60_000, intervalMs: 500 },
    );
    step.detail['newController'] = after.leaderId;
    step.detail['newEpoch'] = after.leaderEpoch;
    await cluster.node(before.leaderId).start();
    await finish(step);
    // Recovered within the step: every partition fully replicated again and the pipeline making progress.
    expect(step.recoveredAt).toBeGreaterThan(step.faultAt);
  });

  it('loses nothing, acks nothing before it is durable, and every partition is fully replicated again', async () => {
    feed = false;
    await feeding;
    const stoppedAt = Date.now();
    const all = ids();
    // A wait that runs out does not end the test here: what is missing is traced below, then asserted.
    const allSucceeded = await waitFor(async () => (await succeeded()) === all.length, {
      description: `all ${all.length} messages to succeed`,
      timeoutMs: 180_000,
      intervalMs: 1_000,
    }).catch(() => false);

    // Lost 0: every valid message has exactly one success row.
    const rows = await successRows();
    const lost = all.filter((id) => !rows.has(id));
    const doubled = [...rows].filter(([, times]) => times.length > 1).map(([id]) => id);

    // No ack before durable: every delivery the poller acked is on the received topic as a received event.
    const acked = await system.sim.acked(TENANT);
    reader = new TopicObserver(cluster.brokers, namespace);
    const { received: receivedTopic, events } = reader.topics;
    await reader.collect(receivedTopic);
    await reader.collect(events);
    const byBroker = new Map(enqueued.map((e) => [e.messageId, e.id]));
    const notOnLog = () => {
      const received = new Set(
        reader
          ?.records(receivedTopic)
          .filter((r) => (JSON.parse(r.value.toString('utf8')) as { type?: string }).type === 'received')
          .map((r) => r.key),
      );
      return acked.entries.filter((a) => !received.has(byBroker.get(a.messageId) ?? a.messageId));
    };
    await waitFor(() => notOnLog().length === 0, {
      description: 'every acked delivery on the received topic',
      timeoutMs: 90_000,
      intervalMs: 1_000,
    }).catch(() => false);
    const ackedIds = new Set(acked.entries.map((a) => a.messageId));

    await fullyReplicated('every partition fully replicated at the end').catch(() => false);
    const underReplicated = await cluster.underReplicated();

    // Where each lost message got to: acked by the poller or still with the cloud, which lifecycle events of it
    // are on the received topic and the event log.
    const cloud = (await system.sim.stats()).tenants[TENANT];
    const eventsOf = (id: string) =>
      [...(reader?.records(receivedTopic) ?? []), ...(reader?.records(events) ?? [])]
        .filter((r) => r.key === id)
        .map((r) => (JSON.parse(r.value.toString('utf8')) as { type?: string }).type ?? '?');
    const lostTrace = enqueued
      .filter((e) => !rows.has(e.id))
      .map((e) => {
        const ack = acked.entries.find((a) => a.messageId === e.messageId) as
          ((typeof acked.entries)[number] & { ackedAt?: string }) | undefined;
        return { id: e.id, brokerId: e.messageId, acked: ack ?? null, events: eventsOf(e.id) };
      });

    // Per step: unavailability and duplicates, from the success rows, the cloud's acks and the services' logs.
    const successTimes = [...rows.values()].map((times) => Math.min(...times));
    const ackTimes = (acked.entries as ((typeof acked.entries)[number] & { ackedAt?: string })[])
      .map((a) => (a.ackedAt ? new Date(a.ackedAt).getTime() : NaN))
      .filter((t) => Number.isFinite(t));
    const lines = readLogLines(supervisor.logFiles());
    const handlerRuns = new Map<string, { attempt: number; at: number }[]>();
    for (const line of lines.filter((l) => l.service === 'example-segment')) {
      const run = HANDLER_RUN.exec(line.message);
      if (run)
        handlerRuns.set(run[1] as string, [
          ...(handlerRuns.get(run[1] as string) ?? []),
          { attempt: Number(run[2]), at: line.at },
        ]);
    }
    const extraRuns = [...handlerRuns.values()].flatMap((runs) =>
      runs
        .map((r) => r.at)
        .sort((a, b) => a - b)
        .slice(1),
    );
    // Every repeated handler run must fall in or after a step's fault (support/duplicates.ts): a step is a disruption
    // lasting from its fault until its recovery, so it is given as a point every half second of that window.
    const stepWindows = steps.flatMap((step, i) => {
      const end = step.recoveredAt > 0 ? step.recoveredAt : (steps[i + 1]?.faultAt ?? stoppedAt);
      const points: Disruption[] = [];
      for (let at = step.faultAt; at <= end; at += 500) points.push({ what: step.name, at });
      return points;
    });
    const unexplained = unexplainedRepeats(
      [...handlerRuns].flatMap(([messageId, runs]) => runs.map((run) => ({ messageId, ...run }))),
      stepWindows,
      10_000,
    );
    const extraRows = [...rows.values()].flatMap((times) => [...times].sort((a, b) => a - b).slice(1));
    const kafkaProblems = lines.filter(
      (l) =>
        (l.level === 'error' || l.level === 'warn') &&
        /kafka|produc|broker|leader|replica/i.test(`${l.context} ${l.message}`),
    );
    const baselineFrom = startedAt;
    const firstFault = steps[0]?.faultAt ?? stoppedAt;
    const perStep = steps.map((step, i) => {
      const until = steps[i + 1]?.faultAt ?? stoppedAt;
      // A step whose wait ran out never recovered within it: its window runs until the next step began.
      const recovered = step.recoveredAt > 0;
      const end = recovered ? step.recoveredAt : until;
      const inStep = (t: number) => t >= step.faultAt && t < until;
      const problems = kafkaProblems.filter((l) => inStep(l.at));
      const byService: Record<string, number> = {};
      for (const p of problems) byService[p.service] = (byService[p.service] ?? 0) + 1;
      return {
        step: step.name,
        title: step.title,
        detail: step.detail,
        recovered,
        recoveryMs: recovered ? step.recoveredAt - step.faultAt : null,
        longestSuccessGapMs: longestGap(successTimes, step.faultAt, end),
        longestAckGapMs: longestGap(ackTimes, step.faultAt, end),
        kafkaErrorsLogged: problems.length,
        kafkaErrorsByService: byService,
        duplicateHandlerRuns: extraRuns.filter(inStep).length,
        duplicateSuccessRows: extraRows.filter(inStep).length,
        messagesEnqueued: enqueued.length,
      };
    });
    const baseline = {
      longestSuccessGapMs: longestGap(
        successTimes.filter((t) => t < firstFault),
        baselineFrom,
        firstFault,
      ),
      longestAckGapMs: longestGap(
        ackTimes.filter((t) => t < firstFault),
        baselineFrom,
        firstFault,
      ),
    };
    const nodeStatus = await cluster.status();
    const peakRssMb = Object.fromEntries(nodeStatus.map((n) => [`node-${n.id}`, peakRss(n.pid)]));

    outcome.raw = {
      unexplainedRepeats: unexplained.length,
      messages: all.length,
      allSucceededInTime: allSucceeded !== false,
      lost: lost.length,
      lostTrace,
      cloudQueue: { ready: cloud?.ready, inFlight: cloud?.inFlight },
      succeededTwice: doubled.length,
      acked: acked.total,
      ackedNotOnEventLog: notOnLog().length,
      ackedDistinct: ackedIds.size,
      underReplicatedAtEnd: underReplicated.length,
      baseline,
      steps: perStep,
      serviceDeaths: supervisor.deaths.map((d) => `${d.service} ${d.cause}`),
      nodePeakRssMbLastLife: peakRssMb,
      nodes: nodeStatus.map((n) => ({ id: n.id, running: n.running, pid: n.pid })),
    };
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    outcome.table = [
      ['messages (20/s through every step)', String(all.length)],
      ['lost', String(lost.length)],
      ['success rows beyond one per message', String(doubled.length)],
      ['acked by the poller but not on the event log', String(notOnLog().length)],
      ['under-replicated partitions at the end', String(underReplicated.length)],
      [
        'longest gap in success rows / acks, no fault (baseline)',
        `${s(baseline.longestSuccessGapMs)} / ${s(baseline.longestAckGapMs)}`,
      ],
      ...perStep.flatMap((p): [string, string][] => [
        [
          `${p.title}: longest gap in success rows / acks`,
          `${s(p.longestSuccessGapMs)} / ${s(p.longestAckGapMs)}`,
        ],
        [`${p.title}: Kafka errors and warnings the services logged`, String(p.kafkaErrorsLogged)],
        [
          `${p.title}: duplicate handler runs / success rows`,
          `${p.duplicateHandlerRuns} / ${p.duplicateSuccessRows}`,
        ],
        [
          `${p.title}: until ISR full and ${PROGRESS} more successes`,
          p.recoveryMs === null ? 'not within the wait (3 min)' : s(p.recoveryMs),
        ],
      ]),
      ['service processes that died', String(supervisor.deaths.length)],
    ];
    process.stdout.write(`cluster summary: ${JSON.stringify(outcome.raw)}\n`);

    expect(lostTrace).toEqual([]);
    expect(unexplained.slice(0, 10)).toEqual([]);
    expect(lost).toEqual([]);
    expect(doubled).toEqual([]);
    expect(notOnLog()).toEqual([]);
    expect(underReplicated).toEqual([]);
    expect(nodeStatus.filter((n) => !n.running)).toEqual([]);
    passed = true;
  });
});

/** Every JSON line of every service life's log, with its time; lines that are not JSON (stderr dumps) are skipped. */
function readLogLines(files: readonly string[]): LogLine[] {
  const lines: LogLine[] = [];
  for (const file of files) {
    const service = (file.split('/').pop() ?? '').replace(/(\.life-\d+)?\.log$/, '');
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (!text.startsWith('{')) continue;
      try {
        const entry = JSON.parse(text) as {
          timestamp?: unknown;
          level?: string;
          context?: string;
          message?: unknown;
        };
        const at = new Date(entry.timestamp as string | number).getTime();
        if (!Number.isFinite(at)) continue;
        lines.push({
          service,
          at,
          level: entry.level ?? '',
          context: entry.context ?? '',
          message: typeof entry.message === 'string' ? entry.message : JSON.stringify(entry.message),
        });
      } catch {
        /* not a log line of ours */
      }
    }
  }
  return lines;
}

/** The peak resident memory of a node's JVM in MB (VmHWM), or null when it is not running. */
function peakRss(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}
