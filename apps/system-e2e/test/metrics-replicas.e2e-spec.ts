import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaClient, parseKafkaSettings } from '@smartlink/messaging';
import { MessageStatus } from '@smartlink/rm-tables';
import { ServiceProcess, TENANT, TestSystem } from '@smartlink/system-harness';
import { freePort, grafanaQueryAsPromql, promqlSelectors, uniqueName, waitFor } from '@smartlink/testing';
import { parse } from 'yaml';

// The metrics as Prometheus sees them with replicas, on the services as processes (two executors, two pollers) on a
// real broker and PostgreSQL: summed over the replicas, the gauges of GTOTVSLINKMESSAGE equal the table and the
// consumer lag equals the group's lag, one poller holds the lease; and every metric the alert rules and the Grafana
// dashboard of docker/k8s/monitoring use is exported by a running service.

const ROOT = join(__dirname, '../../..');
const COMMANDS = ['DemoPing', 'DemoInvoiceIssued'];
/** Retries wait 10 minutes: a failed message stays waiting-retry for the whole test. */
const POLICY = {
  retry: { maxAttempts: 5, strategy: 'fixed', initialDelayMs: 600_000, maxDelayMs: 600_000, jitter: 0 },
};
const STATUS_NAMES: Record<number, string> = {
  [MessageStatus.Pending]: 'pending',
  [MessageStatus.Dispatched]: 'dispatched',
  [MessageStatus.WaitingRetry]: 'waiting-retry',
  [MessageStatus.Dead]: 'dead',
};

/** One sample of an exposition. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One scrape of a replica: its samples and the metric names it declares (TYPE lines, with histogram series). */
interface Scrape {
  readonly pod: string;
  readonly samples: readonly Sample[];
  readonly names: ReadonlySet<string>;
}

function parseExposition(pod: string, text: string): Scrape {
  const samples: Sample[] = [];
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const labels = Object.fromEntries(
      [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]),
    );
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { pod, samples, names };
}

/** The samples of `name` whose labels include `labels`, over every scrape, with the pod they came from. */
function samplesOf(scrapes: readonly Scrape[], name: string, labels: Record<string, string> = {}) {
  return scrapes.flatMap(({ pod, samples }) =>
    samples
      .filter(
        (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
      )
      .map((s) => ({ ...s, pod })),
  );
}

const sum = (samples: readonly { value: number }[]) => samples.reduce((total, s) => total + s.value, 0);

/** Every metric name the alert rules and the dashboard query. */
function metricsUsedByMonitoring(): Map<string, string> {
  const used = new Map<string, string>();
  const monitoring = join(ROOT, 'docker/k8s/monitoring');
  const rule = parse(readFileSync(join(monitoring, 'prometheus-rule.yaml'), 'utf8')) as {
    spec: { groups: { rules: { alert: string; expr: string }[] }[] };
  };
  for (const { alert, expr } of rule.spec.groups.flatMap((group) => group.rules)) {
    for (const { metric } of promqlSelectors(expr)) used.set(metric, `alert ${alert}`);
  }
  const dashboard = JSON.parse(
    readFileSync(join(monitoring, 'dashboards/smartlink-client.json'), 'utf8'),
  ) as {
    panels: { title: string; targets?: { expr: string }[] }[];
    templating: { list: { name: string; query: unknown }[] };
  };
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets ?? []) {
      for (const { metric } of promqlSelectors(grafanaQueryAsPromql(expr)))
        used.set(metric, `panel ${panel.title}`);
    }
  }
  for (const variable of dashboard.templating.list) {
    const query = (variable.query as { query?: string } | string | undefined) ?? '';
    const text = typeof query === 'string' ? query : (query.query ?? '');
    const selector = /^label_values\((.+),\s*\w+\)$/.exec(text)?.[1];
    if (!selector) continue;
    for (const { metric } of promqlSelectors(selector)) used.set(metric, `variable ${variable.name}`);
  }
  used.delete('');
  return used;
}

describe('metrics over replicas, end to end, on postgres', () => {
  const namespace = uniqueName('e2e_metrics');
  const replicas: ServiceProcess[] = [];
  let system: TestSystem;

  /** A second process of a service the system runs, on a port of its own. */
  const secondReplica = async (name: string) => {
    const first = system.service(name).spec;
    const port = await freePort();
    const replica = await ServiceProcess.start(
      {
        ...first,
        name,
        env: { ...first.env, HTTP_PORT: String(port) },
        readyUrl: `http://127.0.0.1:${port}/health/ready`,
      },
      mkdtempSync(join(system.logDir, `${name}-2-`)),
    );
    replicas.push(replica);
    return replica;
  };

  const withLogs = (error: Error) =>
    Promise.reject(
      new Error(`${error.message}\n${system.logs()}\n${replicas.map((r) => r.logTail(30)).join('\n')}`),
    );

  const scrape = async (service: ServiceProcess, pod: string): Promise<Scrape> => {
    const response = await fetch(`${new URL(service.spec.readyUrl).origin}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect({ pod, status: response.status }).toEqual({ pod, status: 200 });
    return parseExposition(pod, await response.text());
  };

  beforeAll(async () => {
    system = await TestSystem.start({
      database: 'postgres',
      commands: COMMANDS,
      namespace,
      retryPolicy: POLICY,
    });
    await secondReplica('executor');
    await secondReplica('poller');
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await system?.stop();
  });

  const executors = () => [
    { service: system.service('executor'), pod: 'executor-1' },
    { service: replicas[0] as ServiceProcess, pod: 'executor-2' },
  ];
  const pollers = () => [
    { service: system.service('poller'), pod: 'poller-1' },
    { service: replicas[1] as ServiceProcess, pod: 'poller-2' },
  ];
  const scrapeAll = (targets: { service: ServiceProcess; pod: string }[]) =>
    Promise.all(targets.map(({ service, pod }) => scrape(service, pod)));

  it('sums the table gauges over the executors to GTOTVSLINKMESSAGE, reported by one executor', async () => {
    await system.sim.enqueue(TENANT, [
      ...Array.from({ length: 6 }, (_, i) => ({
        style: 'cloudevents' as const,
        type: 'DemoPing',
        data: { n: i },
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        style: 'cloudevents' as const,
        type: 'DemoInvoiceIssued',
        data: { n: i, fatal: true },
      })),
      ...Array.from({ length: 4 }, (_, i) => ({
        style: 'cloudevents' as const,
        type: 'DemoInvoiceIssued',
        data: { n: 10 + i, failAttempts: 2 },
      })),
    ]);
    // The table settles: 3 dead, 4 waiting a retry 10 minutes away, nothing else.
    const truth = await waitFor(
      async () => {
        const groups = await system.tables.messages.countByCommand();
        const by = (status: MessageStatus) =>
          groups.filter((g) => g.status === status).reduce((total, g) => total + g.count, 0);
        const settled =
          by(MessageStatus.Dead) === 3 && by(MessageStatus.WaitingRetry) === 4 && groups.length === 2;
        return settled ? groups : undefined;
      },
      { description: 'GTOTVSLINKMESSAGE to hold 3 dead and 4 waiting-retry messages', timeoutMs: 120_000 },
    ).catch(withLogs);

    // The gauges are read from the table every 5 s: wait for a reading after the table settled.
    const scrapes = await waitFor(
      async () => {
        const all = await scrapeAll(executors());
        const dead = samplesOf(all, 'smartlink_pending_messages', { status: 'dead' });
        const waiting = samplesOf(all, 'smartlink_pending_messages', { status: 'waiting-retry' });
        return sum(dead) === 3 && sum(waiting) === 4 ? all : undefined;
      },
      { description: 'the sum over the executors to equal the table', timeoutMs: 60_000, intervalMs: 500 },
    ).catch(withLogs);

    for (const group of truth) {
      const labels = { command: group.command, status: STATUS_NAMES[group.status] ?? '' };
      expect({ labels, sum: sum(samplesOf(scrapes, 'smartlink_pending_messages', labels)) }).toEqual({
        labels,
        sum: group.count,
      });
    }
    const reporters = (name: string) => [...new Set(samplesOf(scrapes, name).map((s) => s.pod))];
    expect(reporters('smartlink_pending_messages')).toHaveLength(1);
    expect(reporters('smartlink_oldest_pending_message_age_seconds')).toEqual(
      reporters('smartlink_pending_messages'),
    );
    // The other executor declares the metrics and exports no sample of them.
    for (const { names } of scrapes) expect(names.has('smartlink_pending_messages')).toBe(true);
    const oldest = samplesOf(scrapes, 'smartlink_oldest_pending_message_age_seconds');
    expect(oldest).toHaveLength(1);
    expect(oldest[0]?.value).toBeGreaterThan(0);
  });

  it('sums the consumer lag over the executors to the lag of each group, each reporting its own partitions', async () => {
    const client = new KafkaClient(
      parseKafkaSettings({ KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '', KAFKA_CLIENT_ID: 'e2e-lag' }),
    );
    const lag = client.createGroupLag();
    try {
      const groups = [
        [`${namespace}.executor.events`, `${namespace}.received`],
        [`${namespace}.executor.events`, `${namespace}.events`],
        [`${namespace}.executor.outcomes`, `${namespace}.outcomes`],
        [`${namespace}.executor.outbound`, `${namespace}.outbound`],
      ] as const;
      // Idle, so the lag stands still between the cluster's reading and the scrapes.
      const readings = await waitFor(
        async () => {
          const all = await scrapeAll(executors());
          const read = await Promise.all(
            groups.map(async ([group, topic]) => {
              const exported = samplesOf(all, 'smartlink_consumer_lag_messages', { group, topic });
              return {
                group: `${group} on ${topic}`,
                pods: new Set(exported.map((s) => s.pod)).size,
                sum: sum(exported),
                cluster: (await lag.read(group, topic)).total,
              };
            }),
          );
          return read.every((r) => r.pods === 2 && r.sum === r.cluster) ? read : undefined;
        },
        {
          description: 'each executor to export its share of every group, summing to the cluster lag',
          timeoutMs: 60_000,
          intervalMs: 500,
        },
      ).catch(withLogs);
      for (const { group, pods, sum: exported, cluster } of readings) {
        expect({ group, pods, exported }).toEqual({ group, pods: 2, exported: cluster });
      }
    } finally {
      await lag.disconnect();
    }
  });

  it('has exactly one poller holding the lease, and only the holder reports the backlog', async () => {
    const scrapes = await waitFor(
      async () => {
        const all = await scrapeAll(pollers());
        return samplesOf(all, 'smartlink_poller_backlog_messages').length > 0 ? all : undefined;
      },
      { description: 'the lease holder to report its backlog', timeoutMs: 30_000, intervalMs: 500 },
    ).catch(withLogs);
    const holders = samplesOf(scrapes, 'smartlink_poller_lease_state', { state: 'active' });
    expect(holders.map((s) => s.value).sort()).toEqual([0, 1]);
    const holder = holders.find((s) => s.value === 1)?.pod;
    expect(samplesOf(scrapes, 'smartlink_poller_backlog_messages').map((s) => s.pod)).toEqual([holder]);
  });

  it('exports every metric the alert rules and the Grafana dashboard use', async () => {
    const scrapes = [
      ...(await scrapeAll(executors())),
      ...(await scrapeAll(pollers())),
      ...(await scrapeAll(
        ['retry-scheduler', 'log-writer', 'example-segment'].map((name) => ({
          service: system.service(name),
          pod: name,
        })),
      )),
    ];
    const exported = new Set(scrapes.flatMap(({ names }) => [...names]));
    const used = metricsUsedByMonitoring();
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used]
      .filter(([metric]) => !exported.has(metric))
      .map(([metric, where]) => `${metric} (${where})`);
    expect(missing).toEqual([]);
  });
});
