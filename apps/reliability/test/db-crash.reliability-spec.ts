import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openRmTables, parseDatabaseSettings, type RmTables } from '@smartlink/rm-tables';
import {
  PrivatePostgres,
  TENANT,
  TestSystem,
  TopicObserver,
  type PostgresLife,
} from '@smartlink/system-harness';
import { uniqueName, waitFor, type SimEnqueued } from '@smartlink/testing';
import { ProbeWatch } from './support/probe-watch';
import { COMMANDS, validMessage } from './support/workload';
import { writeCaseResults } from './support/case-results';
import { handlerRunsIn, repeatedRuns, unexplainedRepeats } from './support/duplicates';
import { successCounts as countSuccesses } from './support/success-rows';

// A real PostgreSQL crash under load: the whole client as processes on a PostgreSQL server of the case's own, fed
// by the simulated cloud, while the server (postmaster and every backend) is SIGKILLed twice and, after an outage
// of some seconds with load still arriving, started again on its data through crash recovery. No service is
// restarted: each must ride out the outage itself, answer not ready while the database is gone and ready once it is
// back, and lose nothing.

const CASE = 'db-crash';
const COMMAND = `npx nx run reliability:reliability -- db-crash`;
/** Messages the cloud receives per second while the load runs, in steps every 250 ms. */
const RATE_PER_S = 40;
const STEP_MS = 250;
/** How long the database stays down after each kill, with load still arriving. */
const OUTAGE_MS = 10_000;
/** Messages that succeed before the first kill, so it lands with every stage of the pipeline busy. */
const WARM_UP = 150;
/** Messages enqueued at once before the second kill, which lands once their outcomes are being written. */
const BURST = 300;
/** A kubelet's probing: every 250 ms here (finer than Kubernetes' 10 s, to time the outage), 3 s timeout. */
const PROBE = { intervalMs: 250, timeoutMs: 3_000 };
/** Kubernetes' default failureThreshold: this many failed liveness probes in a row get a container restarted. */
const LIVENESS_FAILURE_THRESHOLD = 3;
const DB_SERVICES = ['executor', 'retry-scheduler', 'log-writer', 'poller'] as const;
const RESULTS_DIR = join(__dirname, '..', 'results');
// Beside the JSON, not under results/logs/, which the main spec empties when it starts.
const LOGS_DIR = join(RESULTS_DIR, 'latest', `${CASE}-logs`);

/** Fast, generous retries: every valid message must succeed, however many attempts the outages cost it. */
const POLICY = {
  retry: { maxAttempts: 30, strategy: 'fixed', initialDelayMs: 300, maxDelayMs: 300, jitter: 0 },
};

/** What happened around one crash, in ms since the epoch. */
interface Crash {
  readonly label: string;
  killedAt: number;
  processesKilled: number;
  restartedAt: number;
  backAt: number;
  succeededAtKill: number;
  backlogAtBack: number;
  drainedAt: number | null;
  life: PostgresLife | null;
  /** Per service: when readiness first failed after the kill, and when it passed again for good after `backAt`. */
  readiness: Record<
    string,
    { notReadyAt: number | null; readyAgainAt: number | null; failuresAfterReadyAgain: number }
  >;
}

describe('db-crash: PostgreSQL SIGKILLed under load and restarted through crash recovery', () => {
  const run = uniqueName('dbc');
  const namespace = uniqueName('dbcrash');
  const startedAt = Date.now();
  let postgres: PrivatePostgres;
  let tables: RmTables;
  let system: TestSystem;
  let probes: ProbeWatch;
  let reader: TopicObserver | null = null;
  const enqueued: SimEnqueued[] = [];
  const crashes: Crash[] = [];
  const pidsAtStart = new Map<string, number>();
  const checks: Record<string, boolean> = {};
  const measured: Record<string, unknown> = {};
  let settingsForReport: Record<string, unknown> = {};

  beforeAll(async () => {
    rmSync(LOGS_DIR, { recursive: true, force: true });
    postgres = await PrivatePostgres.create({ settings: { max_connections: '200' } });
    await postgres.start();
    const url = await postgres.createDatabase('smartlink');
    const database = {
      DB_TYPE: 'postgres',
      DB_URL: url,
      // Short, so a call to a dead server fails fast and the service retries, rather than hanging the probe.
      DB_CONNECT_TIMEOUT_MS: '3000',
    };
    settingsForReport = {
      postgres: `private server from ${postgres.binDir}, fsync=on, synchronous_commit=on, full_page_writes=on`,
      ratePerS: RATE_PER_S,
      outageMs: OUTAGE_MS,
      warmUp: WARM_UP,
      burst: BURST,
      probe: PROBE,
      livenessFailureThreshold: LIVENESS_FAILURE_THRESHOLD,
      retryPolicy: POLICY.retry,
      dispatchTimeoutMs: 20_000,
    };
    system = await TestSystem.start({
      database: 'postgres',
      commands: COMMANDS,
      namespace,
      retryPolicy: POLICY,
      overrides: {
        poller: { ...database },
        // The same as the retry scheduler's: the commands' start deadlines are counted from it.
        executor: { ...database, DISPATCH_TIMEOUT_MS: '20000' },
        'retry-scheduler': {
          ...database,
          // A dispatch whose outcome was lost in the crash is retried after this, not after the 5 min default.
          DISPATCH_TIMEOUT_MS: '20000',
          RETRY_UNPLANNED_GRACE_MS: '15000',
        },
        'log-writer': { ...database },
      },
    });
    tables = await openRmTables(
      parseDatabaseSettings({ DB_TYPE: 'postgres', DB_URL: url, DB_SCHEMA: 'verify' }),
    );
    for (const service of system.processes) pidsAtStart.set(service.spec.name, service.pid as number);
    probes = new ProbeWatch(
      system.processes
        .filter((p) => p.spec.name !== 'smartlink-sim')
        .map((p) => ({
          service: p.spec.name,
          readyUrl: p.spec.readyUrl,
          liveUrl: p.spec.readyUrl.replace('/health/ready', '/health/live'),
        })),
      PROBE,
    );
    probes.start();
  }, 300_000);

  afterAll(async () => {
    await probes?.stop();
    const passed = Object.keys(checks).length > 0 && Object.values(checks).every(Boolean);
    writeResults(passed);
    await reader?.stop();
    await system?.stop();
    await tables?.close().catch(() => undefined);
    mkdirSync(LOGS_DIR, { recursive: true });
    if (system) {
      cpSync(system.logDir, LOGS_DIR, { recursive: true });
      rmSync(system.logDir, { recursive: true, force: true });
    }
    for (const life of postgres?.history ?? []) {
      copyFileSync(life.logFile, join(LOGS_DIR, `postgres-${life.life}.log`));
    }
    await postgres?.cleanup();
  }, 120_000);

  const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

  // The load: steps of messages every STEP_MS, from the first kill's warm-up until after the second outage.
  let nextMessage = 0;
  let loading: Promise<void> | null = null;
  let loadOn = false;
  async function enqueueValid(count: number): Promise<void> {
    const batch = Array.from({ length: count }, () => validMessage(run, nextMessage++));
    enqueued.push(...(await system.sim.enqueue(TENANT, batch)));
  }
  function startLoad(): void {
    loadOn = true;
    const perStep = Math.max(1, Math.round((RATE_PER_S * STEP_MS) / 1_000));
    loading = (async () => {
      while (loadOn) {
        const at = Date.now();
        await enqueueValid(perStep);
        // Paces the load generator (a rate, not a wait on the system).
        const rest = STEP_MS - (Date.now() - at);
        if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    })();
  }
  async function stopLoad(): Promise<void> {
    loadOn = false;
    await loading;
  }

  const ids = () => [...new Set(enqueued.map((e) => e.id))];

  const successCounts = (of: readonly string[]) => countSuccesses(tables, of);
  const succeeded = async (of: readonly string[] = ids()) => (await successCounts(of)).size;

  /**
   * SIGKILLs the server, keeps it down OUTAGE_MS with load arriving, starts it through crash recovery and waits
   * until every service is ready again and every message enqueued so far has succeeded.
   */
  async function crash(label: string): Promise<Crash> {
    const succeededAtKill = await succeeded();
    const killedAt = Date.now();
    const processesKilled = await postgres.kill();
    const event: Crash = {
      label,
      killedAt,
      processesKilled,
      restartedAt: 0,
      backAt: 0,
      succeededAtKill,
      backlogAtBack: 0,
      drainedAt: null,
      life: null,
      readiness: {},
    };
    crashes.push(event);
    // The outage lasts OUTAGE_MS, and at least until every database-dependent service has said it is not ready.
    await waitFor(
      () =>
        Date.now() - killedAt >= OUTAGE_MS &&
        DB_SERVICES.every((service) => probes.ready(service, killedAt).some((s) => !s.ok)),
      {
        description: `every database-dependent service to answer not ready (${label})`,
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    ).catch(() => undefined); // asserted below, from the samples; the server must come back either way
    event.restartedAt = Date.now();
    event.life = await postgres.start();
    event.backAt = Date.now();
    const before = ids();
    event.backlogAtBack = before.length - (await succeeded(before));
    await waitFor(
      () =>
        system.processes.every(
          (p) => p.spec.name === 'smartlink-sim' || probes.readyFrom(p.spec.name, event.backAt) !== null,
        ),
      { description: `every service ready again (${label})`, timeoutMs: 120_000, intervalMs: 100 },
    ).catch(withLogs);
    await waitFor(async () => (await succeeded(before)) === before.length, {
      description: `the ${before.length} messages enqueued before the database came back to succeed (${label})`,
      timeoutMs: 180_000,
      intervalMs: 250,
    }).catch(withLogs);
    event.drainedAt = Date.now();
    return event;
  }

  it('rides out two SIGKILLs of the database under load', async () => {
    startLoad();
    await waitFor(async () => (await succeeded()) >= WARM_UP, {
      description: `${WARM_UP} messages to succeed before the first kill`,
      timeoutMs: 120_000,
      intervalMs: 250,
    }).catch(withLogs);
    await crash('kill 1: under steady load');

    // The second kill lands while a burst's outcomes are being written (GTOTVSLINKMESSAGEEXEC inserts, message
    // rows deleted), the heaviest write phase.
    const base = await succeeded();
    await enqueueValid(BURST);
    await waitFor(async () => (await succeeded()) >= base + BURST / 8, {
      description: 'the burst to be under way',
      timeoutMs: 120_000,
      intervalMs: 50,
    }).catch(withLogs);
    await crash('kill 2: during heavy outcome writes');
    await stopLoad();

    await waitFor(async () => (await succeeded()) === ids().length, {
      description: `all ${ids().length} messages to succeed`,
      timeoutMs: 180_000,
      intervalMs: 500,
    }).catch(withLogs);
    await waitFor(async () => (await tables.messages.countUndone()) === 0, {
      description: 'GTOTVSLINKMESSAGE to be empty',
      timeoutMs: 120_000,
      intervalMs: 500,
    }).catch(withLogs);
    measured['allSucceededAt'] = Date.now();
    expect(crashes.map((c) => c.label)).toEqual([
      'kill 1: under steady load',
      'kill 2: during heavy outcome writes',
    ]);
  });

  it('loses nothing, acks nothing before it is durable, restarts no service, and its probes tell the outage', async () => {
    // Readiness of each crash, from the probe samples.
    crashes.forEach((event, index) => {
      // Ready again (three passing probes in a row) before the next kill, or by the end of the run.
      const until = crashes[index + 1]?.killedAt ?? Number.POSITIVE_INFINITY;
      for (const service of system.processes.map((p) => p.spec.name).filter((n) => n !== 'smartlink-sim')) {
        const failed = probes.ready(service, event.killedAt, event.backAt).find((s) => !s.ok);
        const readyAgainAt = probes.readyFrom(service, event.backAt, until);
        event.readiness[service] = {
          notReadyAt: failed?.at ?? null,
          readyAgainAt,
          failuresAfterReadyAgain:
            readyAgainAt === null ? 0 : probes.readyFailures(service, readyAgainAt, until),
        };
      }
    });
    // Lost 0: every message the cloud queued has exactly one success row.
    const counts = await successCounts(ids());
    const lost = ids().filter((id) => !counts.has(id));
    const doubled = [...counts].filter(([, n]) => n > 1).map(([id]) => id);

    // No ack before durable: the cloud has nothing waiting, and every acked delivery is on the received topic.
    const stats = await system.sim.tenantStats(TENANT);
    const acked = await system.sim.acked(TENANT);
    reader = new TopicObserver(process.env['KAFKA_BROKERS'] as string, namespace);
    await reader.collect(reader.topics.received);
    const observer = reader;
    const notOnLog = () => {
      const received = new Set(
        observer
          .records(observer.topics.received)
          .filter((r) => (JSON.parse(r.value.toString('utf8')) as { type?: string }).type === 'received')
          .map((r) => r.key),
      );
      const byBroker = new Map(enqueued.map((e) => [e.messageId, e.id]));
      return acked.entries.filter((a) => !received.has(byBroker.get(a.messageId) ?? a.messageId));
    };
    await waitFor(() => notOnLog().length === 0, {
      description: 'every acked delivery on the received topic',
      timeoutMs: 60_000,
      intervalMs: 500,
    }).catch(() => undefined);

    // No service restarted: the same processes, alive, with the pids they started with.
    const pids = Object.fromEntries(system.processes.map((p) => [p.spec.name, p.pid]));
    const probed = system.processes.map((p) => p.spec.name).filter((n) => n !== 'smartlink-sim');
    const liveFailures = Object.fromEntries(
      probed.map((n) => [n, probes.live(n).filter((s) => !s.ok).length]),
    );
    const liveFailureRuns = Object.fromEntries(probed.map((n) => [n, probes.longestLiveFailureRun(n)]));

    // Every repeated handler run must follow a database crash (support/duplicates.ts): nothing else broke here.
    const handlerRuns = handlerRunsIn(readFileSync(system.service('example-segment').logFile, 'utf8'));
    const unexplained = unexplainedRepeats(
      handlerRuns,
      crashes.map((c) => ({ what: `${c.label} database SIGKILL`, at: c.killedAt })),
      10_000,
    );
    const duplicateRuns = repeatedRuns(handlerRuns);
    Object.assign(measured, {
      messages: ids().length,
      lost: lost.length,
      succeededTwice: doubled.length,
      cloud: {
        ready: stats?.ready,
        inFlight: stats?.inFlight,
        acked: acked.total,
        notOnEventLog: notOnLog().length,
      },
      redelivered: acked.entries.filter((a) => a.deliveryCount > 1).length,
      duplicateHandlerRuns: duplicateRuns,
      unexplainedRepeats: unexplained.length,
      pidsAtStart: Object.fromEntries(pidsAtStart),
      pidsAtEnd: pids,
      liveProbes: Object.fromEntries(
        system.processes
          .filter((p) => p.spec.name !== 'smartlink-sim')
          .map((p) => [p.spec.name, probes.live(p.spec.name).length]),
      ),
      liveFailures,
      longestLiveFailureRun: liveFailureRuns,
    });

    checks['lost 0'] = lost.length === 0;
    expect(lost).toEqual([]);
    checks['every repeated handler run follows a database crash'] = unexplained.length === 0;
    expect(unexplained.slice(0, 10)).toEqual([]);
    checks['one success row each'] = doubled.length === 0;
    expect(doubled).toEqual([]);
    checks['cloud drained'] = stats?.ready === 0 && stats?.inFlight === 0;
    expect({ ready: stats?.ready, inFlight: stats?.inFlight }).toEqual({ ready: 0, inFlight: 0 });
    checks['no ack before durable'] = notOnLog().length === 0;
    expect(notOnLog()).toEqual([]);
    checks['no service restarted'] = [...pidsAtStart].every(([name, pid]) => pids[name] === pid);
    expect(pids).toEqual(Object.fromEntries(pidsAtStart));
    // A single probe can time out when the machine is starved of CPU; the kubelet restarts a container only after
    // LIVENESS_FAILURE_THRESHOLD failures in a row, so that is what "liveness stayed up" means.
    const wouldRestart = Object.entries(liveFailureRuns)
      .filter(([, run]) => run >= LIVENESS_FAILURE_THRESHOLD)
      .map(([name]) => name);
    checks['liveness stayed up'] = wouldRestart.length === 0;
    expect({ wouldRestart, liveFailureRuns }).toEqual({ wouldRestart: [], liveFailureRuns });

    for (const event of crashes) {
      // Crash recovery, in the server's own words.
      const recovery = (event.life?.recoveryLines ?? []).join('\n');
      checks[`${event.label}: crash recovery`] =
        /not properly shut down; automatic recovery in progress/.test(recovery) &&
        /redo starts at/.test(recovery);
      expect(recovery).toMatch(/not properly shut down; automatic recovery in progress/);
      expect(recovery).toMatch(/redo starts at/);
      // Each database-dependent service said not ready during the outage and ready after it.
      const notReported = DB_SERVICES.filter((s) => event.readiness[s]?.notReadyAt === null);
      const notBack = Object.entries(event.readiness)
        .filter(([, r]) => r.readyAgainAt === null)
        .map(([s]) => s);
      checks[`${event.label}: readiness reflects the outage`] =
        notReported.length === 0 && notBack.length === 0;
      expect({ label: event.label, notReported, notBack }).toEqual({
        label: event.label,
        notReported: [],
        notBack: [],
      });
    }
  });

  function liveSummary(): string {
    const failures = measured['liveFailures'] as Record<string, number> | undefined;
    const runs = measured['longestLiveFailureRun'] as Record<string, number> | undefined;
    if (!failures || !runs) return 'n/a';
    return Object.entries(failures)
      .map(([name, n]) => `${name} ${n} (${runs[name]})`)
      .join(', ');
  }

  function writeResults(passed: boolean): void {
    const seconds = (ms: number | null | undefined) =>
      ms === null || ms === undefined ? null : Math.round(ms / 100) / 10;
    const table: [string, string][] = [
      ['valid messages enqueued in the cloud', String(measured['messages'] ?? ids().length)],
      ['lost (no success row)', String(measured['lost'] ?? 'n/a')],
      ['succeeded twice', String(measured['succeededTwice'] ?? 'n/a')],
      ['duplicate handler runs reaching the segment', String(measured['duplicateHandlerRuns'] ?? 'n/a')],
      ['cloud deliveries redelivered', String(measured['redelivered'] ?? 'n/a')],
    ];
    for (const event of crashes) {
      table.push([`${event.label}: PostgreSQL processes SIGKILLed`, String(event.processesKilled)]);
      table.push([
        `${event.label}: outage (kill → accepting again)`,
        `${seconds(event.backAt - event.killedAt)} s`,
      ]);
      table.push([
        `${event.label}: crash recovery (start → accepting)`,
        `${seconds(event.backAt - event.restartedAt)} s`,
      ]);
      for (const [service, r] of Object.entries(event.readiness)) {
        table.push([
          `${event.label}: ${service} not ready after kill / ready after DB back`,
          `${r.notReadyAt === null ? 'stayed ready' : `${seconds(r.notReadyAt - event.killedAt)} s`} / ${
            r.readyAgainAt === null ? 'never' : `${seconds(r.readyAgainAt - event.backAt)} s`
          }${r.failuresAfterReadyAgain > 0 ? ` (then ${r.failuresAfterReadyAgain} lone failed probe(s))` : ''}`,
        ]);
      }
      table.push([
        `${event.label}: backlog at DB back, drained after`,
        `${event.backlogAtBack} messages, ${event.drainedAt === null ? 'never' : `${seconds(event.drainedAt - event.backAt)} s`}`,
      ]);
    }
    table.push(['service restarts', checks['no service restarted'] === true ? '0' : 'see raw.pidsAtEnd']);
    table.push(['failed liveness probes (longest run in a row)', liveSummary()]);
    writeCaseResults({
      case: CASE,
      title: 'PostgreSQL (a private server) SIGKILLed twice under load and restarted through crash recovery',
      command: COMMAND,
      durationS: Math.round((Date.now() - startedAt) / 1_000),
      passed,
      settings: settingsForReport,
      table,
      raw: {
        checks,
        ...measured,
        crashes: crashes.map((c) => ({
          ...c,
          life: c.life && { life: c.life.life, pid: c.life.pid, recoveryLines: c.life.recoveryLines },
          outageMs: c.backAt - c.killedAt,
          recoveryMs: c.backAt - c.restartedAt,
          drainMs: c.drainedAt === null ? null : c.drainedAt - c.backAt,
        })),
        readinessSamples: Object.fromEntries(
          (probes ? system.processes.map((p) => p.spec.name).filter((n) => n !== 'smartlink-sim') : []).map(
            (name) => [name, compress(probes.ready(name))],
          ),
        ),
      },
    });
  }
});

/** Readiness samples as runs of the same answer: `[from, to, ok, count]`, so the raw figures stay short. */
function compress(samples: readonly { at: number; ok: boolean }[]): [number, number, boolean, number][] {
  const runs: [number, number, boolean, number][] = [];
  for (const sample of samples) {
    const last = runs[runs.length - 1];
    if (last && last[2] === sample.ok) {
      last[1] = sample.at;
      last[3] += 1;
    } else runs.push([sample.at, sample.at, sample.ok, 1]);
  }
  return runs;
}
