import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName, waitFor } from '@smartlink/testing';
import {
  publishFromSegment,
  ServiceProcess,
  TENANT,
  TestSystem,
  type ServiceExit,
} from '@smartlink/system-harness';

// What Kubernetes and Prometheus see of each service, as processes on a real broker and PostgreSQL: the four
// endpoints of the contract the manifests use (/health/live, /health/ready, /health/started, /metrics), the metrics
// after real traffic, and a SIGTERM to each service while work is in flight: out within the 20 s deadline, cleanly,
// and no message lost.

const COMMANDS = ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'];
const CLIENT_SERVICES = ['executor', 'retry-scheduler', 'log-writer', 'example-segment', 'poller'];
/** The shutdown deadline every service runs with (SHUTDOWN_DEADLINE_MS default). */
const DEADLINE_MS = 20_000;
const POLICY = {
  retry: { maxAttempts: 5, strategy: 'fixed', initialDelayMs: 300, maxDelayMs: 300, jitter: 0 },
};

/** The sum of the samples of `name` whose labels include `labels`; undefined when there is no such sample. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(\{(.*)\})? (\S+)$/i.exec(line);
    if (!match || match[1] !== name) continue;
    const body = match[3] ?? '';
    if (!Object.entries(labels).every(([key, value]) => body.includes(`${key}="${value}"`))) continue;
    sum = (sum ?? 0) + Number(match[4]);
  }
  return sum;
}

function baseUrl(service: ServiceProcess): string {
  return new URL(service.spec.readyUrl).origin;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

function messages(count: number, tag: string) {
  return Array.from({ length: count }, (_, i) => ({
    style: 'cloudevents' as const,
    type: COMMANDS[i % COMMANDS.length] as string,
    data: { n: i, tag, employee: `E${i}`, amount: i },
  }));
}

describe('operating the services (probes, metrics, SIGTERM), end to end, on postgres', () => {
  const namespace = uniqueName('e2e_ops');
  const restarted: ServiceProcess[] = [];
  /** Where the services write heap snapshots: SIGUSR2, as docker/README.md tells operators. */
  const snapshots = mkdtempSync(join(tmpdir(), 'smartlink-heap-'));
  let system: TestSystem;

  beforeAll(async () => {
    const heapSnapshots = { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}` };
    system = await TestSystem.start({
      database: 'postgres',
      commands: COMMANDS,
      namespace,
      retryPolicy: POLICY,
      overrides: Object.fromEntries(CLIENT_SERVICES.map((name) => [name, heapSnapshots])),
    });
  });

  afterAll(async () => {
    await Promise.all(restarted.map((service) => service.stop()));
    await system?.stop();
    rmSync(snapshots, { recursive: true, force: true });
  });

  const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));
  const url = (name: string) => baseUrl(system.service(name));
  /** Keeps `next` to be stopped after the tests, in place of `previous`. */
  const replace = (previous: ServiceProcess, next: ServiceProcess) => {
    const index = restarted.indexOf(previous);
    if (index >= 0) restarted.splice(index, 1);
    restarted.push(next);
  };

  it('answers the probes on every service: live, started, ready; the poller holds the lease', async () => {
    for (const name of CLIENT_SERVICES) {
      for (const path of ['/health/live', '/health/started', '/health/ready']) {
        expect({ name, path, status: (await get(`${url(name)}${path}`)).status }).toEqual({
          name,
          path,
          status: 200,
        });
      }
      const ready = JSON.parse((await get(`${url(name)}/health/ready`)).body);
      expect(ready.info.lifecycle).toEqual({ status: 'up', phase: 'running' });
    }
    const poller = JSON.parse((await get(`${url('poller')}/health/ready`)).body);
    expect(poller.info.lease).toMatchObject({ status: 'up', state: 'active', holder: true });
  });

  it('exposes Prometheus metrics with non-zero values after real traffic', async () => {
    const enqueued = await system.sim.enqueue(TENANT, [
      ...messages(30, 'metrics'),
      { style: 'cloudevents', type: 'DemoInvoiceIssued', data: { n: 100, failAttempts: 1 } },
      { style: 'cloudevents', type: 'DemoInvoiceIssued', data: { n: 101, fatal: true } },
    ]);
    await publishFromSegment(system.segmentUrl, { count: 5 });
    const done = enqueued.slice(0, -1).map((m) => m.id);
    await waitFor(async () => (await system.successRows(done)).length === done.length, {
      description: 'the messages executed',
      timeoutMs: 120_000,
      intervalMs: 500,
    }).catch(withLogs);

    const scrape = async (name: string) => {
      const { status, body } = await get(`${url(name)}/metrics`);
      expect({ name, status }).toEqual({ name, status: 200 });
      return body;
    };
    // Counters read at scrape time and the lag readings are cached a few seconds: wait for them to show.
    const executor = await waitFor(
      async () => {
        const body = await scrape('executor');
        return (sample(body, 'smartlink_critical_time_seconds_count') ?? 0) > 0 &&
          (sample(body, 'smartlink_messages_total', { outcome: 'failed' }) ?? 0) > 0
          ? body
          : undefined;
      },
      { description: 'the executor metrics', timeoutMs: 30_000, intervalMs: 500 },
    ).catch(withLogs);
    expect(sample(executor, 'smartlink_messages_total', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(32);
    expect(sample(executor, 'smartlink_messages_total', { outcome: 'fatal' })).toBeGreaterThan(0);
    expect(sample(executor, 'smartlink_message_attempts_count', { outcome: 'succeeded' })).toBeGreaterThan(0);
    expect(sample(executor, 'smartlink_executor_received_total')).toBeGreaterThanOrEqual(32);
    expect(sample(executor, 'smartlink_executor_sends_succeeded_total')).toBeGreaterThan(0);
    expect(sample(executor, 'smartlink_oldest_pending_message_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(
      sample(executor, 'smartlink_consumer_lag_messages', { group: `${namespace}.executor.events` }),
    ).toBe(0);
    // Present (the lag of an idle loop can read 0).
    expect(sample(executor, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(executor, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const scheduler = await waitFor(
      async () => {
        const body = await scrape('retry-scheduler');
        return (sample(body, 'smartlink_dead_letters_total') ?? 0) > 0 ? body : undefined;
      },
      { description: 'the retry-scheduler metrics', timeoutMs: 30_000, intervalMs: 500 },
    ).catch(withLogs);
    expect(sample(scheduler, 'smartlink_retries_due_total')).toBeGreaterThan(0);
    expect(sample(scheduler, 'smartlink_messages_total', { outcome: 'dead' })).toBe(1);
    expect(sample(scheduler, 'smartlink_retry_lateness_seconds_count')).toBeGreaterThan(0);

    const poller = await scrape('poller');
    expect(sample(poller, 'smartlink_poller_received_total')).toBeGreaterThanOrEqual(32);
    expect(sample(poller, 'smartlink_poller_acked_total')).toBeGreaterThanOrEqual(32);
    expect(sample(poller, 'smartlink_poller_lease_state', { state: 'active' })).toBe(1);

    const segment = await scrape('example-segment');
    // 30 messages and the invoice that fails once; the fatal one ends fatal.
    expect(
      sample(segment, 'smartlink_segment_handled_total', { outcome: 'succeeded' }),
    ).toBeGreaterThanOrEqual(31);
    expect(sample(segment, 'smartlink_segment_handled_total', { outcome: 'fatal' })).toBeGreaterThan(0);
    expect(sample(segment, 'smartlink_segment_published_total')).toBeGreaterThan(0);

    const logWriter = await waitFor(
      async () => {
        const body = await scrape('log-writer');
        return (sample(body, 'smartlink_log_writer_written_total') ?? 0) > 0 ? body : undefined;
      },
      { description: 'the log-writer metrics', timeoutMs: 30_000, intervalMs: 500 },
    ).catch(withLogs);
    expect(sample(logWriter, 'smartlink_log_writer_consumed_total')).toBeGreaterThan(0);
  });

  it.each(CLIENT_SERVICES)('the %s writes a heap snapshot on SIGUSR2 and keeps running', async (name) => {
    const service = system.service(name);
    const pid = service.pid;
    if (pid === null) throw new Error(`${name} is not running`);
    const written = () => readdirSync(snapshots).filter((file) => file.endsWith(`.${pid}.0.001.heapsnapshot`));

    process.kill(pid, 'SIGUSR2');

    // The file is complete once its size stops changing and the service answers again.
    let size = -1;
    await waitFor(
      async () => {
        const [file] = written();
        if (!file) return false;
        const now = statSync(join(snapshots, file)).size;
        const settled = now > 0 && now === size;
        size = now;
        return settled && (await get(`${url(name)}/health/ready`)).status === 200;
      },
      { description: `${name}'s heap snapshot written`, timeoutMs: 60_000, intervalMs: 500 },
    ).catch(withLogs);
    const [file] = written();
    const fd = openSync(join(snapshots, file as string), 'r');
    const start = Buffer.alloc(4_096);
    readSync(fd, start, 0, start.length, 0);
    closeSync(fd);
    const head = start.toString('utf8');
    expect(Number(/"node_count":\s*(\d+)/.exec(head)?.[1])).toBeGreaterThan(0);
    expect(service.running).toBe(true);
    expect(readFileSync(service.logFile, 'utf8')).not.toMatch(/shutting down/);
  });

  describe('when each service gets SIGTERM while work is in flight', () => {
    it.each(CLIENT_SERVICES)(
      'the %s exits cleanly within the deadline, and its replacement finishes the work',
      async (name) => {
        const current = restarted.find((s) => s.spec.name === name) ?? system.service(name);
        const ackedBefore = (await system.sim.tenantStats(TENANT))?.acked ?? 0;
        const enqueued = await system.sim.enqueue(TENANT, [
          ...messages(120, name),
          // A retry to be planned and run across the stop.
          { style: 'cloudevents', type: 'DemoInvoiceIssued', data: { n: 200, failAttempts: 1 } },
        ]);
        await publishFromSegment(system.segmentUrl, { count: 10 });
        const ids = enqueued.map((m) => m.id);
        // Work is moving through the system: part of the batch is in, the rest still coming.
        await waitFor(async () => ((await system.sim.tenantStats(TENANT))?.acked ?? 0) > ackedBefore + 10, {
          description: 'the batch under way',
          timeoutMs: 60_000,
          intervalMs: 50,
        }).catch(withLogs);

        const stopping = Date.now();
        const exit: ServiceExit = await current.stop(DEADLINE_MS + 10_000);
        const tookMs = Date.now() - stopping;
        const log = readFileSync(current.logFile, 'utf8');
        process.stdout.write(`[operations.e2e] ${name} stopped in ${tookMs} ms: ${JSON.stringify(exit)}\n`);

        // Code 0 once every shutdown hook is done; code 1 would mean the deadline cut it short.
        expect({ name, exit }).toEqual({ name, exit: { code: 0, signal: null } });
        expect(tookMs).toBeLessThan(DEADLINE_MS);
        expect(log).toMatch(/SIGTERM: shutting down, at most 20000 ms/);
        expect(log).not.toMatch(/Shutdown did not finish/);

        replace(current, await ServiceProcess.start(current.spec, system.logDir));

        await waitFor(async () => (await system.successRows(ids)).length >= ids.length, {
          description: `every message of the batch executed once the ${name} is back`,
          timeoutMs: 180_000,
          intervalMs: 500,
        }).catch(withLogs);
        const succeeded = new Set((await system.successRows(ids)).map((r) => r.messageId));
        expect(ids.filter((id) => !succeeded.has(id))).toEqual([]);
      },
    );
  });

  describe('when a shutdown cannot finish within its deadline', () => {
    it('exits with code 1 and names what was still open; the work comes back to the next instance', async () => {
      const current = restarted.find((s) => s.spec.name === 'executor') ?? system.service('executor');
      await current.stop();
      // Sends the cloud holds for a minute, a grace longer than that, and a deadline of 1 s.
      const impatient = await ServiceProcess.start(
        {
          ...current.spec,
          env: {
            ...current.spec.env,
            SHUTDOWN_DEADLINE_MS: '1000',
            EXECUTOR_SHUTDOWN_GRACE_MS: '30000',
            SMARTLINK_HTTP_TIMEOUT_MS: '60000',
          },
        },
        system.logDir,
      );
      replace(current, impatient);
      await system.sim.setFaults({ rules: [{ kind: 'timeout', holdMs: 60_000, endpoints: ['send'] }] });
      const held = (await system.sim.stats()).http.faults['send:timeout'] ?? 0;
      const ids = await publishFromSegment(system.segmentUrl, { count: 3 });
      await waitFor(async () => ((await system.sim.stats()).http.faults['send:timeout'] ?? 0) > held, {
        description: 'a send held by the cloud',
        timeoutMs: 60_000,
        intervalMs: 100,
      }).catch(withLogs);

      const stopping = Date.now();
      const exit = await impatient.stop(DEADLINE_MS);
      const tookMs = Date.now() - stopping;
      const log = readFileSync(impatient.logFile, 'utf8');
      process.stdout.write(
        `[operations.e2e] executor past its deadline exited in ${tookMs} ms: ${JSON.stringify(exit)}\n`,
      );

      expect(exit).toEqual({ code: 1, signal: null });
      expect(tookMs).toBeLessThan(5_000);
      expect(log).toMatch(
        /Shutdown did not finish within 1000 ms; still open: \w+\.(onModuleDestroy|beforeApplicationShutdown|onApplicationShutdown) \(\d+ ms\)/,
      );

      await system.sim.setFaults({});
      replace(impatient, await ServiceProcess.start(current.spec, system.logDir));
      await waitFor(async () => (await system.successRows(ids)).length === ids.length, {
        description: 'the held sends made again by the next executor',
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(withLogs);
    });
  });
});
