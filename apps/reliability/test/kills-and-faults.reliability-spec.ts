import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRASH_POINTS, type CrashPointName } from '@smartlink/common';
import {
  DEFAULT_ADMIN_POSTGRES_URL,
  createScratchPostgresDatabase,
  openRmTables,
  parseDatabaseSettings,
  type RmTables,
} from '@smartlink/rm-tables';
import { CLIENT_SECRET, PrivateBroker, TENANT, TestSystem, TopicObserver } from '@smartlink/system-harness';
import { TcpProxy, freePort, uniqueName, waitFor, type SimEnqueued } from '@smartlink/testing';
import { count, writeCaseResults } from './support/case-results';
import {
  attemptsRunTwice,
  handlerRunsIn,
  repeatedRuns,
  unexplainedRepeats,
  unexplainedResends,
  type Disruption,
} from './support/duplicates';
import { successCounts as countSuccesses, failureCounts } from './support/success-rows';
import { ServiceSupervisor } from './support/service-supervisor';
import { COMMANDS, badInputs, oddButValid, validMessage } from './support/workload';

// Kafka-system-test style: the whole client as processes on a broker of its own and a PostgreSQL database behind a
// proxy, fed by the simulated cloud, while services are SIGKILLed at every crash point and at random, the broker is
// killed and restarted, the database goes away and comes back, the cloud answers 5xx, 429, timeouts and resets and
// its tokens expire, and bad input arrives beside the good. At the end what the cloud queued is compared, as sets,
// with what succeeded, what the cloud acked with what is on the received topic, and every output is searched for
// secrets.

/** Valid messages of a run; 1,000 keeps the suite at a few minutes, inside CI's budget. */
const MESSAGES = Number(process.env['RELIABILITY_MESSAGES'] ?? 1_000);
/** Messages per step of load; the suite waits for progress between steps. */
const STEP = Math.max(40, Math.min(200, Math.floor(MESSAGES / 20)));
/** The poller's batch (SMARTLINK_GET_BATCH_SIZE default): the most deliveries one disruption can leave un-acked. */
const POLL_BATCH = 100;
/** Clocks of different processes and a death seen up to a watch interval late: how far a cause may precede a run. */
const CAUSE_SLACK_MS = 10_000;
const RESULTS_DIR = join(__dirname, '..', 'results');
/** Every life's log of every service and the broker's log, kept after the run (pass or fail) for whoever reads it. */
const LOGS_DIR = join(RESULTS_DIR, 'logs');

/** Which service hosts each crash point, and at which hit it fires (spread so the kills land under load). */
const CRASH_PLAN: Record<string, { points: CrashPointName[]; hit: number }[]> = {
  poller: [{ points: ['poller.after-append'], hit: 3 }],
  executor: [
    { points: ['executor.after-project'], hit: 4 },
    { points: ['executor.after-attempt-insert'], hit: 6 },
    { points: ['executor.after-outcome-recorded'], hit: 8 },
    { points: ['executor.after-send'], hit: 3 },
  ],
  'example-segment': [{ points: ['segment.after-handler'], hit: 5 }],
  'retry-scheduler': [{ points: ['retry-scheduler.after-claim'], hit: 2 }],
  'log-writer': [{ points: ['log-writer.after-insert'], hit: 5 }],
};

/** Cloud faults of the first phase: each rule fires a bounded number of times, so the run always gets through. */
const CLOUD_FAULTS = {
  rules: [
    { kind: 'error', status: 503, retryAfter: 1, endpoints: ['get'], probability: 0.05, next: 6 },
    { kind: 'throttle', retryAfter: 1, endpoints: ['get', 'ack', 'send'], probability: 0.05, next: 8 },
    { kind: 'timeout', holdMs: 30_000, endpoints: ['ack', 'send'], probability: 0.03, next: 3 },
    { kind: 'reset', endpoints: ['get', 'ack', 'send'], probability: 0.03, next: 6 },
    { kind: 'error', status: 500, endpoints: ['send', 'token'], probability: 0.05, next: 4 },
  ],
  tokenTtlS: 15,
};

/** Fast, generous retries: every valid message must succeed in the end, however many attempts faults cost it. */
const POLICY = {
  retry: { maxAttempts: 30, strategy: 'fixed', initialDelayMs: 300, maxDelayMs: 300, jitter: 0 },
};

/** A line in results/progress.log, to follow a run from outside (Nx prints the test output only at the end). */
function note(text: string): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(join(RESULTS_DIR, 'progress.log'), `${new Date().toISOString()} ${text}\n`);
}

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

interface Enqueued {
  readonly kind: 'valid' | 'bad' | 'duplicate';
  readonly name: string;
  readonly sim: SimEnqueued;
}

describe('reliability: kills, infrastructure faults and bad input lose no message', () => {
  const run = uniqueName('rel');
  const namespace = uniqueName('reliability');
  const workDir = mkdtempSync(join(tmpdir(), 'smartlink-reliability-'));
  const crashStateDir = join(workDir, 'crash-points');
  let broker: PrivateBroker;
  let dbProxy: TcpProxy;
  let dropDatabase: () => Promise<void> = async () => undefined;
  let tables: RmTables;
  let system: TestSystem;
  let supervisor: ServiceSupervisor;
  let reader: TopicObserver;
  const startedAt = Date.now();
  const enqueued: Enqueued[] = [];
  const infrastructure = { brokerKills: 0, databaseOutages: 0, tokenRotations: 0 };
  /** What the suite broke and when, besides service deaths (the supervisor keeps those). */
  const disruptions: Disruption[] = [];
  const disrupt = (what: string) => disruptions.push({ what, at: Date.now() });

  beforeAll(async () => {
    rmSync(LOGS_DIR, { recursive: true, force: true });
    rmSync(join(RESULTS_DIR, 'progress.log'), { force: true });
    broker = new PrivateBroker(await freePort(), await freePort(), join(workDir, 'kafka'));
    await broker.start();
    process.env['KAFKA_BROKERS'] = broker.brokers;

    const adminUrl = process.env['TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_POSTGRES_URL;
    const scratch = await createScratchPostgresDatabase(adminUrl);
    dropDatabase = scratch.drop;
    const direct = new URL(adminUrl);
    direct.pathname = `/${scratch.name}`;
    // The services reach PostgreSQL through a proxy: cutting it is how the suite plays a database restart without
    // restarting the machine's real server, which other test runs share.
    dbProxy = await TcpProxy.start(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(direct);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(dbProxy.port);
    const database = { DB_TYPE: 'postgres', DB_URL: proxied.toString() };

    const faults = (service: string) => ({
      // A SIGKILLed consumer holds its partitions until its session times out: 6 s (the broker's minimum) instead
      // of 30 s keeps the many kills of the run from costing minutes of stalled groups.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      SMARTLINK_FAULTS_ENABLED: 'true',
      SMARTLINK_CRASH_AT: (CRASH_PLAN[service] ?? [])
        .flatMap((p) => p.points.map((point) => `${point}:${p.hit}`))
        .join(','),
      SMARTLINK_CRASH_STATE_DIR: crashStateDir,
    });
    system = await TestSystem.start({
      database: 'postgres',
      commands: COMMANDS,
      namespace,
      retryPolicy: POLICY,
      overrides: {
        'smartlink-sim': { SIM_VISIBILITY_TIMEOUT_MS: '5000' },
        poller: { ...database, ...faults('poller'), SMARTLINK_HTTP_TIMEOUT_MS: '3000' },
        executor: {
          ...database,
          ...faults('executor'),
          SMARTLINK_HTTP_TIMEOUT_MS: '3000',
          // The same as the retry scheduler's: the commands' start deadlines are counted from it.
          DISPATCH_TIMEOUT_MS: '20000',
        },
        'retry-scheduler': {
          ...database,
          ...faults('retry-scheduler'),
          // Kafka is at least once, and a broker killed mid-handover can leave a dispatch without its outcome;
          // the timeout is what recovers it, so a short one keeps the run short.
          DISPATCH_TIMEOUT_MS: '20000',
          RETRY_UNPLANNED_GRACE_MS: '15000',
        },
        'log-writer': { ...database, ...faults('log-writer') },
        'example-segment': faults('example-segment'),
      },
    });
    tables = await openRmTables(
      parseDatabaseSettings({ DB_TYPE: 'postgres', DB_URL: direct.toString(), DB_SCHEMA: 'verify' }),
    );
    mkdirSync(crashStateDir, { recursive: true });
    supervisor = new ServiceSupervisor(system);
    supervisor.start();
  }, 300_000);

  afterAll(async () => {
    await supervisor?.stop();
    await reader?.stop();
    await system?.stop();
    await tables?.close();
    await dbProxy?.close();
    await dropDatabase();
    await broker?.stop();
    mkdirSync(LOGS_DIR, { recursive: true });
    if (system) {
      cpSync(system.logDir, LOGS_DIR, { recursive: true });
      rmSync(system.logDir, { recursive: true, force: true });
    }
    for (const file of readdirSync(workDir).filter((name) => name.endsWith('.log'))) {
      copyFileSync(join(workDir, file), join(LOGS_DIR, file));
    }
    rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

  let nextMessage = 0;
  async function enqueueValid(count: number): Promise<void> {
    const batch = Array.from({ length: count }, () => validMessage(run, nextMessage++));
    for (const sim of await system.sim.enqueue(TENANT, batch))
      enqueued.push({ kind: 'valid', name: 'valid', sim });
  }

  const validIds = () => [...new Set(enqueued.filter((e) => e.kind !== 'bad').map((e) => e.sim.id))];

  const successCounts = (ids: readonly string[]) => countSuccesses(tables, ids);

  async function succeeded(): Promise<number> {
    return (await successCounts(validIds())).size;
  }

  async function progressBy(count: number, description: string): Promise<void> {
    note(`${description} (${await succeeded()} of ${validIds().length} succeeded)`);
    const target = Math.min((await succeeded()) + count, validIds().length);
    await waitFor(async () => (await succeeded()) >= target, {
      description,
      timeoutMs: 180_000,
      intervalMs: 500,
    }).catch(withLogs);
  }

  async function executorReady(): Promise<boolean> {
    const url = system.service('executor').spec.readyUrl;
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    return response?.ok ?? false;
  }

  const firedPoints = () => CRASH_POINTS.filter((point) => existsSync(join(crashStateDir, point)));

  it('phase 1: crash points, cloud faults, token expiry and bad input', async () => {
    const planned = Math.floor(MESSAGES / 2);
    await system.sim.setFaults(CLOUD_FAULTS);

    // Bad input and duplicate ids in the same batches as good messages.
    const bad = badInputs(run);
    const odd = oddButValid(run);
    const head = [
      validMessage(run, nextMessage++),
      ...bad.map((b) => b.message),
      validMessage(run, nextMessage++),
    ];
    const headResult = await system.sim.enqueue(TENANT, [...head, ...odd.map((o) => o.message)]);
    enqueued.push({ kind: 'valid', name: 'valid', sim: headResult[0] as SimEnqueued });
    bad.forEach((b, i) =>
      enqueued.push({ kind: 'bad', name: b.name, sim: headResult[i + 1] as SimEnqueued }),
    );
    enqueued.push({ kind: 'valid', name: 'valid', sim: headResult[bad.length + 1] as SimEnqueued });
    odd.forEach((o, i) => {
      const sim = headResult[head.length + i] as SimEnqueued;
      enqueued.push({ kind: 'valid', name: o.name, sim: { ...sim, id: o.id ?? sim.id } });
    });

    // The load comes in steps, so the crash points fire while messages are in every stage; it goes on past the
    // planned count only until every crash point has fired.
    let rotated = false;
    while (nextMessage < planned || (firedPoints().length < CRASH_POINTS.length && nextMessage < MESSAGES)) {
      await enqueueValid(STEP);
      if (nextMessage === 2 + 3 * STEP) {
        const again = Array.from({ length: 20 }, (_, i) => validMessage(run, 10 * i + 2));
        for (const sim of await system.sim.enqueue(TENANT, again)) {
          enqueued.push({ kind: 'duplicate', name: 'duplicate id', sim });
        }
      }
      await progressBy(STEP / 2, `step ${nextMessage} of phase 1 to progress`);
      if (!rotated && nextMessage >= planned / 3) {
        // Token expiry mid-run: every token issued so far stops working.
        await system.sim.rotateKey();
        infrastructure.tokenRotations += 1;
        rotated = true;
      }
    }
    await waitFor(async () => (await succeeded()) === validIds().length, {
      description: `all ${validIds().length} valid messages of phase 1 to succeed`,
      timeoutMs: 300_000,
      intervalMs: 1_000,
    }).catch(withLogs);
    await system.sim.setFaults({});
    expect(firedPoints()).toEqual(CRASH_POINTS);
  });

  it('phase 2: database restart, broker kill and restart, random kills under load', async () => {
    // At least five steps of random kills after the three scripted ones, so each service is killed at random once.
    const steps = Math.max(8, Math.ceil((MESSAGES - nextMessage) / STEP));
    await enqueueValid(STEP);
    await progressBy(STEP / 2, 'phase 2 to get going');

    // PostgreSQL goes away (every connection cut, the port refusing) until the executor reports it, then returns.
    await enqueueValid(STEP);
    await dbProxy.cut();
    disrupt('database cut');
    infrastructure.databaseOutages += 1;
    await waitFor(async () => !(await executorReady()), {
      description: 'the executor to see the database gone',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    await dbProxy.restore();
    disrupt('database back');
    await progressBy(STEP / 2, 'progress after the database came back');

    // The broker is SIGKILLed and started again on the same data, with a random service killed meanwhile.
    await enqueueValid(STEP);
    await broker.kill();
    disrupt('broker SIGKILL');
    infrastructure.brokerKills += 1;
    await supervisor.killRandomly(['executor', 'example-segment', 'poller']);
    await broker.start();
    disrupt('broker back');
    await progressBy(STEP / 2, 'progress after the broker came back');

    // Random kills under load: one per step, at a random point of its progress, each service in turn.
    for (let step = 3; step < steps; step += 1) {
      await enqueueValid(STEP);
      await progressBy(Math.floor(STEP / 4 + (Math.random() * STEP) / 4), 'progress before a random kill');
      await supervisor.killRandomly([
        'executor',
        'example-segment',
        'poller',
        'retry-scheduler',
        'log-writer',
      ]);
    }

    await waitFor(async () => (await succeeded()) === validIds().length, {
      description: `all ${validIds().length} valid messages to succeed`,
      timeoutMs: 300_000,
      intervalMs: 1_000,
    }).catch(withLogs);
    expect(infrastructure).toMatchObject({ brokerKills: 1, databaseOutages: 1 });
  });

  it('loses no message, acks nothing before it is durable, refuses bad input, leaks no secret', async () => {
    const ids = validIds();
    // Every ping is answered upstream; those replies must succeed too.
    const pingIds = enqueued
      .filter((e) => e.kind === 'valid' && e.name !== 'lone surrogate in data')
      .map((e) => e.sim.id)
      .filter((id) => Number(id.slice(run.length + 1)) % 10 <= 1);
    const pongsOf = async () => {
      const sent = (await system.sim.sent(TENANT)).entries.filter((s) => s.type === 'DemoPong');
      return sent;
    };
    await waitFor(
      async () => {
        const correlated = new Set((await pongsOf()).map((s) => String(s.envelope?.correlationId)));
        return pingIds.every((id) => correlated.has(id));
      },
      { description: 'a DemoPong sent for every DemoPing', timeoutMs: 180_000, intervalMs: 1_000 },
    ).catch(withLogs);
    const pongIds = [...new Set((await pongsOf()).map((s) => String(s.envelope?.id)))];
    await waitFor(async () => (await successCounts(pongIds)).size === pongIds.length, {
      description: 'a success row for every DemoPong',
      timeoutMs: 120_000,
      intervalMs: 1_000,
    }).catch(withLogs);
    await waitFor(async () => (await tables.messages.countUndone()) === 0, {
      description: 'GTOTVSLINKMESSAGE to be empty',
      timeoutMs: 120_000,
      intervalMs: 1_000,
    }).catch(withLogs);
    await waitFor(() => supervisor.settled, { description: 'every service up', timeoutMs: 120_000 });

    // No message lost, none succeeded twice: downstream and upstream, as sets.
    const downstream = await successCounts(ids);
    const lost = ids.filter((id) => !downstream.has(id));
    const doubled = [...downstream].filter(([, n]) => n > 1).map(([id]) => id);
    const upstream = await successCounts(pongIds);
    const upstreamDoubled = [...upstream].filter(([, n]) => n > 1).map(([id]) => id);
    expect(lost).toEqual([]);
    expect(doubled).toEqual([]);
    expect(upstreamDoubled).toEqual([]);

    // The cloud: everything acked, nothing waiting.
    const stats = (await system.sim.stats()).tenants[TENANT];
    expect({ ready: stats?.ready, inFlight: stats?.inFlight }).toEqual({ ready: 0, inFlight: 0 });
    const acked = await system.sim.acked(TENANT);
    const ackedBroker = new Set(acked.entries.map((a) => a.messageId));
    expect(enqueued.filter((e) => !ackedBroker.has(e.sim.messageId)).map((e) => e.name)).toEqual([]);

    // No ack before durable: every acked delivery is on the received topic or the dead-letter topic.
    reader = new TopicObserver(broker.brokers, namespace);
    const { received: receivedTopic, deadletter, logs } = reader.topics;
    await reader.collect(receivedTopic);
    await reader.collect(deadletter);
    await reader.collect(logs);
    const byBroker = new Map(enqueued.map((e) => [e.sim.messageId, e.sim.id]));
    const onKafka = () => {
      const received = new Set(
        reader
          .records(receivedTopic)
          .filter((r) => (JSON.parse(r.value.toString('utf8')) as { type?: string }).type === 'received')
          .map((r) => r.key),
      );
      const dead = reader.keys(deadletter);
      return acked.entries.filter((a) => {
        const id = byBroker.get(a.messageId) ?? a.messageId;
        return !received.has(id) && !dead.has(id) && !dead.has(a.messageId) && !dead.has(a.receipt);
      });
    };
    await waitFor(() => onKafka().length === 0, {
      description: 'every acked delivery on the received topic or the dead-letter topic',
      timeoutMs: 90_000,
      intervalMs: 1_000,
    }).catch((error: Error) =>
      Promise.reject(new Error(`${error.message}: ${JSON.stringify(onKafka().slice(0, 5))}`)),
    );
    const redelivered = acked.entries.filter((a) => a.deliveryCount > 1).length;
    expect(redelivered).toBeGreaterThan(0);

    // Bad input: dead-lettered under its id and logged as an error by the poller; never a success row.
    const deadKeys = reader.keys(deadletter);
    const pollerLog = supervisor
      .logFiles()
      .filter((f) => f.includes('poller'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const bad = enqueued.filter((e) => e.kind === 'bad');
    const refusedWithoutTrace = bad.filter(
      (e) => !deadKeys.has(e.sim.messageId) || !pollerLog.includes(`key ${e.sim.messageId}`),
    );
    expect(refusedWithoutTrace.map((e) => e.name)).toEqual([]);
    expect((await successCounts(bad.map((e) => e.sim.messageId))).size).toBe(0);

    // No secret in any output: service logs of every life, the logs topic, the sends the cloud recorded.
    const outputs = [
      ...supervisor.logFiles().map((file) => ({ where: file, text: readFileSync(file, 'utf8') })),
      {
        where: logs,
        text: reader
          .records(logs)
          .map((r) => r.value.toString('utf8'))
          .join('\n'),
      },
      {
        where: 'sim /admin/sent',
        text: JSON.stringify((await system.sim.sent()).entries.map((s) => s.headers)),
      },
    ];
    const leaks = outputs
      .filter((o) => !o.where.includes('smartlink-sim'))
      .filter((o) => o.text.includes(CLIENT_SECRET) || JWT.test(o.text))
      .map((o) => o.where);
    expect(leaks).toEqual([]);

    // Duplicates that reached the segment, judged against what the suite caused: every handler run of a message
    // after its first must follow a disruption that can repeat work (a death of the executor, the segment or the
    // retry scheduler, the broker killed, the database cut) which came after the run it repeats.
    const runs = supervisor
      .logFiles()
      .filter((f) => f.includes('example-segment'))
      .flatMap((file) => handlerRunsIn(readFileSync(file, 'utf8')));
    const deaths = supervisor.deaths;
    const causes: Disruption[] = [
      ...disruptions.filter((d) => d.what === 'broker SIGKILL' || d.what === 'database cut'),
      ...deaths
        .filter((d) => ['executor', 'example-segment', 'retry-scheduler'].includes(d.service))
        .map((d) => ({ what: `${d.service} ${d.cause}`, at: d.at })),
    ];
    const unexplained = unexplainedRepeats(runs, causes, CAUSE_SLACK_MS);
    expect(unexplained.slice(0, 10)).toEqual([]);
    const duplicateRuns = repeatedRuns(runs);
    const distinctHandled = new Set(runs.map((r) => r.messageId)).size;
    expect(distinctHandled).toBe(ids.length);
    const segmentStats = await system.segmentStats();
    const sent = await system.sim.sent(TENANT);
    const pongSends = sent.entries.filter((s) => s.type === 'DemoPong');
    const simStats = await system.sim.stats();

    // Cloud redeliveries, bounded by what can leave a delivery un-acked: a poller death or a broker kill (a batch
    // each at most) and every fault injected on get or ack (one batch each at most).
    const faultsOn = (endpoint: string) =>
      Object.entries(simStats.http.faults)
        .filter(([key]) => key.startsWith(`${endpoint}:`))
        .reduce((sum, [, n]) => sum + n, 0);
    const pollerDeaths = deaths.filter((d) => d.service === 'poller').length;
    const redeliveryCauses = pollerDeaths + infrastructure.brokerKills + faultsOn('get') + faultsOn('ack');
    expect(redelivered).toBeLessThanOrEqual(redeliveryCauses * POLL_BATCH);
    // A repeated send to the cloud needs a failed attempt of its message (an answer lost to a timeout or a reset, a
    // retry) or something that kept the executor from recording the send: its death, the database cut, the broker
    // killed. A whole chunk can go again after one such cause, so repeats are judged one by one against the causes,
    // not counted against a bound.
    const duplicatePongSends = pongSends.length - new Set(pongSends.map((s) => String(s.envelope?.id))).size;
    const failedPongAttempts = await failureCounts(tables, pongIds);
    const resendCauses: Disruption[] = [
      ...disruptions.filter((d) => d.what === 'broker SIGKILL' || d.what === 'database cut'),
      ...deaths
        .filter((d) => d.service === 'executor')
        .map((d) => ({ what: `executor ${d.cause}`, at: d.at })),
    ];
    const unexplainedSends = unexplainedResends(
      pongSends.map((s) => ({ id: String(s.envelope?.id), at: Date.parse(s.sentAt) })),
      failedPongAttempts,
      resendCauses,
      CAUSE_SLACK_MS,
    );
    expect(unexplainedSends.slice(0, 10)).toEqual([]);
    const failedPongAttemptCount = [...failedPongAttempts.values()].reduce((sum, n) => sum + n, 0);

    const kills: Record<string, number> = {};
    for (const death of deaths) {
      const key = `${death.service} ${death.cause}`;
      kills[key] = (kills[key] ?? 0) + 1;
    }
    // Every crash point killed its service, and the suite's kills landed.
    const unattributed = CRASH_POINTS.filter(
      (point) => !deaths.some((d) => d.cause === `crash-point:${point}`),
    );
    expect({ unattributed, deaths: deaths.map((d) => `${d.service} ${d.cause}`) }).toMatchObject({
      unattributed: [],
    });
    const randomlyKilled = new Set(deaths.filter((d) => d.cause === 'random').map((d) => d.service));
    expect([...randomlyKilled].sort()).toEqual([
      'example-segment',
      'executor',
      'log-writer',
      'poller',
      'retry-scheduler',
    ]);

    const summary = {
      messages: {
        enqueuedValid: ids.length,
        enqueuedBad: bad.length,
        duplicateIdsEnqueued: enqueued.filter((e) => e.kind === 'duplicate').length,
        upstreamReplies: pongIds.length,
        lost: lost.length,
        succeededTwice: doubled.length + upstreamDoubled.length,
        badDeadLettered: bad.length - refusedWithoutTrace.length,
      },
      kills: {
        total: deaths.length,
        byServiceAndCause: kills,
        restartFailures: supervisor.restartFailures,
      },
      infrastructure,
      cloud: {
        faultsInjected: simStats.http.faults,
        deliveriesRedelivered: redelivered,
        acked: acked.total,
        pongSends: pongSends.length,
        duplicatePongSends,
        failedPongAttempts: failedPongAttemptCount,
        unexplainedResends: unexplainedSends.length,
        redeliveryBound: redeliveryCauses * POLL_BATCH,
      },
      segment: {
        handlerRunsCounted: runs.length,
        distinctMessagesHandled: distinctHandled,
        duplicateHandlerRuns: duplicateRuns,
        attemptsRunTwice: attemptsRunTwice(runs).length,
        unexplainedRepeats: unexplained.length,
        causesOfRepeats: causes.length,
        lastLifeStats: segmentStats,
      },
      secretsFound: leaks.length,
    };
    const faultsInjected = Object.values(simStats.http.faults).reduce((sum, n) => sum + n, 0);
    const byCause = (cause: string) => deaths.filter((d) => d.cause.startsWith(cause)).length;
    const file = writeCaseResults({
      case: 'kills-and-faults',
      title: 'Kills at every crash point and at random, broker and database outages, cloud faults, bad input',
      command: 'NX_DAEMON=false npx nx run reliability:reliability',
      passed: true,
      durationS: Math.round((Date.now() - startedAt) / 1_000),
      settings: {
        RELIABILITY_MESSAGES: MESSAGES,
        step: STEP,
        retryPolicy: POLICY,
        cloudFaults: CLOUD_FAULTS,
      },
      table: [
        [
          'valid messages enqueued in the cloud',
          `${count(ids.length)}, plus ${summary.messages.duplicateIdsEnqueued} ids enqueued a second time`,
        ],
        ['upstream replies (DemoPong for each DemoPing)', count(pongIds.length)],
        ['**lost** (valid message without a success row)', `**${lost.length}**`],
        [
          'succeeded twice (more than one success row for a message)',
          String(summary.messages.succeededTwice),
        ],
        [
          'bad input refused and dead-lettered, each with an error log naming it',
          `${summary.messages.badDeadLettered} of ${bad.length}`,
        ],
        [
          'service deaths',
          `**${deaths.length}**: ${byCause('crash-point')} at crash points, ${byCause('random')} SIGKILLs at random moments, ${byCause('exit')} other exits (starts that failed and were retried)`,
        ],
        ['broker SIGKILLed and restarted on its data', String(infrastructure.brokerKills)],
        [
          'database outages (every connection cut, port refusing, then back)',
          String(infrastructure.databaseOutages),
        ],
        ['signing-key rotations (every token in hand answers 401)', String(infrastructure.tokenRotations)],
        [
          'cloud faults injected',
          `${faultsInjected}: ${Object.entries(simStats.http.faults)
            .map(([k, n]) => `${k} ×${n}`)
            .join(', ')}`,
        ],
        [
          'cloud deliveries redelivered (un-acked at a kill, visibility timeout)',
          `${redelivered} (bound from the causes: ${summary.cloud.redeliveryBound})`,
        ],
        [
          'duplicate handler runs reaching the segment',
          `**${duplicateRuns}** of ${runs.length} runs (${distinctHandled} distinct messages); each follows a kill or an outage (${causes.length} such causes), none unexplained`,
        ],
        ['an attempt whose handler ran to success twice', String(summary.segment.attemptsRunTwice)],
        [
          'duplicate sends to the cloud (same envelope id)',
          `${duplicatePongSends} of ${pongSends.length}; each after a failed attempt of its message (${failedPongAttemptCount} failed attempts) or an executor death or outage (${resendCauses.length} such causes), none unexplained`,
        ],
        ['client secret or bearer token in any output', String(leaks.length)],
      ],
      raw: { ...summary, disruptions, deaths: deaths.map(({ logFile: _log, ...death }) => death) },
    });
    process.stdout.write(`reliability summary (${file}): ${JSON.stringify(summary)}\n`);
  });
});
