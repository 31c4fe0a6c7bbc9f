import { readFileSync } from 'node:fs';
import { AttemptStatus, MessageStatus } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import {
  CLIENT_ID,
  publishFromSegment,
  TENANT,
  TestSystem,
  type ServiceProcess,
  TopicObserver,
} from '@smartlink/system-harness';

// Security bar of the design: secrets and tokens never appear in logs, metrics, health output or errors. The whole
// system runs with a client secret no one could mistake, and goes through what makes clients talk about their
// credentials: token refreshes, a rotated signing key (every token in hand answers 401), a token endpoint that
// refuses, and sends answered 401. Then everything an operator or a log collector can see is searched for the
// secret and for any bearer token.

const SECRET = 'Zq7-e2e-CLIENT-SECRET-must-never-leak-5Kx';
const COMMANDS = ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'];
/** Tokens expire every 2 s, so each service fetches many of them during the run. */
const SHORT_TOKENS = { tokenTtlS: 2 };
/** A signed JWT, as the simulator (and the RAC) issues them: header.payload.signature, base64url. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;
/** The services of the client; the simulator plays the cloud, whose own log is not ours to judge. */
const CLIENT_SERVICES = ['executor', 'retry-scheduler', 'log-writer', 'example-segment', 'poller'];
const HTTP_PATHS = ['/metrics', '/health/live', '/health/ready', '/health/started', '/stats'];
/** Quick retries, so the failing invoice of each round is done within the round. */
const POLICY = {
  retry: { maxAttempts: 5, strategy: 'fixed', initialDelayMs: 200, maxDelayMs: 200, jitter: 0 },
};

/** The base URL of a service, from the readiness URL it was started with. */
function baseUrl(service: ServiceProcess): string {
  return new URL(service.spec.readyUrl).origin;
}

async function text(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return `${response.status} ${await response.text()}`;
}

/** A token of our own from the simulator, to prove the pattern above would catch a real one. */
async function issueToken(simUrl: string): Promise<string> {
  const response = await fetch(`${simUrl}/totvs.rac/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'client_credentials',
      scope: 'authorization_api',
    }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('secrets and tokens, end to end, on postgres', () => {
  const namespace = uniqueName('e2e_secrets');
  let system: TestSystem;
  let observer: TopicObserver;

  beforeAll(async () => {
    system = await TestSystem.start({
      database: 'postgres',
      commands: COMMANDS,
      namespace,
      retryPolicy: POLICY,
      overrides: {
        'smartlink-sim': {
          SIM_CLIENTS: `${CLIENT_ID}:${SECRET}:${TENANT}`,
          SIM_FAULTS: JSON.stringify(SHORT_TOKENS),
        },
        poller: { SMARTLINK_CLIENT_SECRET: SECRET, LOG_LEVEL: 'verbose' },
        executor: { SMARTLINK_CLIENT_SECRET: SECRET, LOG_LEVEL: 'verbose' },
        'retry-scheduler': { LOG_LEVEL: 'verbose' },
        'log-writer': { LOG_LEVEL: 'verbose' },
        'example-segment': { LOG_LEVEL: 'verbose' },
      },
    });
    observer = new TopicObserver(process.env['KAFKA_BROKERS'] as string, namespace);
    await observer.collect(observer.topics.logs);
    await observer.collect(observer.topics.deadletter);
  });

  afterAll(async () => {
    await observer?.stop();
    await system?.stop();
  });

  const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

  /** Enqueues a round of messages (a failing invoice among them) and publishes some for the cloud; waits for all. */
  async function round(
    n: number,
    { everySent = true }: { everySent?: boolean } = {},
  ): Promise<{ downstream: string[]; upstream: string[] }> {
    const before = (await system.sim.sent(TENANT)).total;
    const enqueued = await system.sim.enqueue(TENANT, [
      ...Array.from({ length: 9 }, (_, i) => ({
        style: 'cloudevents' as const,
        type: COMMANDS[i % COMMANDS.length] as string,
        data: { n: i, round: n, employee: `E${i}`, amount: i },
      })),
      { style: 'cloudevents', type: 'DemoInvoiceIssued', data: { n: 99, round: n, failAttempts: 1 } },
      { style: 'cloudevents', type: 'DemoInvoiceIssued', data: { n: 98, round: n, fatal: true } },
    ]);
    const dead = enqueued.at(-1)?.id as string;
    const downstream = enqueued.map((m) => m.id).filter((id) => id !== dead);
    const upstream = await publishFromSegment(system.segmentUrl, { count: 5 });
    await waitFor(async () => (await system.successRows(downstream)).length === downstream.length, {
      description: `round ${n}: every message executed`,
      timeoutMs: 120_000,
      intervalMs: 500,
    }).catch(withLogs);
    if (everySent) {
      // DemoPing replies to the cloud: 3 pings a round, besides the 5 published messages.
      await waitFor(async () => (await system.sim.sent(TENANT)).total >= before + upstream.length + 3, {
        description: `round ${n}: the sends at the simulator`,
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(withLogs);
    } else {
      // Sends refused even with a renewed token are retried until the attempts are used up: each ends sent or dead.
      await waitFor(
        async () => {
          const attempts = await system.tables.attempts.findByMessageIds(upstream);
          const dead = new Set(
            (await system.tables.messages.findByIds(upstream))
              .filter((m) => m.status === MessageStatus.Dead)
              .map((m) => m.id),
          );
          return upstream.every(
            (id) =>
              dead.has(id) || attempts.some((r) => r.messageId === id && r.status === AttemptStatus.Success),
          );
        },
        {
          description: `round ${n}: every send done or refused for good`,
          timeoutMs: 120_000,
          intervalMs: 500,
        },
      ).catch(withLogs);
    }
    await waitFor(
      () => observer.values(observer.topics.deadletter).some((letter) => letter['messageId'] === dead),
      { description: `round ${n}: the fatal invoice dead-lettered`, timeoutMs: 60_000, intervalMs: 500 },
    ).catch(withLogs);
    return { downstream: [...downstream, dead], upstream };
  }

  it('never shows the client secret or a bearer token, through refreshes, a rotated key and refused tokens', async () => {
    const ids: string[] = [];
    const collect = ({ downstream, upstream }: { downstream: string[]; upstream: string[] }) =>
      ids.push(...downstream, ...upstream);

    const first = await round(1);
    collect(first);
    // Every token in hand answers 401 from now on: gets, acks and sends fail once and the clients fetch new ones.
    await system.sim.rotateKey();
    collect(await round(2));
    // The token endpoint refuses three times and every send of the round answers 401, so sends are refused even
    // with a renewed token: errors about authentication get logged, recorded and dead-lettered. (A bounded number
    // of send refusals could all be absorbed by one shared renewal when the sends run concurrently, and then
    // nothing would be refused at all.)
    await system.sim.setFaults({
      ...SHORT_TOKENS,
      rules: [
        { kind: 'error', status: 401, endpoints: ['token'], next: 3 },
        { kind: 'error', status: 401, endpoints: ['send'] },
      ],
    });
    await system.sim.rotateKey();
    collect(await round(3, { everySent: false }));
    await system.sim.setFaults(SHORT_TOKENS);
    // The redrive token at work: a wrong one refused, the right one taking the fatal invoice of round 1 back.
    const redrive = (token: string) =>
      fetch(`${baseUrl(system.service('retry-scheduler'))}/redrive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ ids: [first.downstream.at(-1)], by: 'e2e-operator' }),
        signal: AbortSignal.timeout(10_000),
      });
    expect((await redrive('a-wrong-guess-at-the-redrive-token')).status).toBe(401);
    expect((await redrive(system.redriveToken)).status).toBe(200);

    // The test would see a leak: real tokens match the pattern, the simulator did refuse, the services did log.
    const token = await issueToken(system.sim.url);
    expect(token.match(JWT)).toEqual([token]);
    const faults = (await system.sim.stats()).http.faults;
    expect(faults['token:error']).toBe(3);
    // At least one refusal per send of round 3: its 5 published messages and 3 replies to pings.
    expect(faults['send:error']).toBeGreaterThanOrEqual(8);

    const exposed: { where: string; text: string }[] = [];
    for (const name of CLIENT_SERVICES) {
      const service = system.service(name);
      exposed.push({ where: `${name} stdout/stderr`, text: readFileSync(service.logFile, 'utf8') });
      for (const path of HTTP_PATHS) {
        exposed.push({ where: `${name} GET ${path}`, text: await text(`${baseUrl(service)}${path}`) });
      }
    }
    // Every HTTP surface answers, so that finding no secret in it means something: /stats too, on every service.
    expect(
      exposed.filter((e) => e.where.endsWith('GET /stats')).map((e) => `${e.where} ${e.text.slice(0, 5)}`),
    ).toEqual(CLIENT_SERVICES.map((name) => `${name} GET /stats 200 {`));
    // What the log-writer turns into GTOTVSLINKLOG, and what operators get as dead letters.
    await waitFor(() => observer.values(observer.topics.logs).length > 0, {
      description: 'log records on the logs topic',
    });
    exposed.push({ where: 'logs topic', text: JSON.stringify(observer.values(observer.topics.logs)) });
    exposed.push({
      where: 'dead letters',
      text: JSON.stringify(observer.values(observer.topics.deadletter)),
    });
    const rows = {
      logs: await system.tables.logs.findByMessageIds(ids),
      attempts: await system.tables.attempts.findByMessageIds(ids),
      messages: await system.tables.messages.findByIds(ids),
    };
    expect(rows.logs.length).toBeGreaterThan(ids.length);
    exposed.push({ where: 'GTOTVSLINKLOG', text: JSON.stringify(rows.logs) });
    exposed.push({ where: 'GTOTVSLINKMESSAGEEXEC', text: JSON.stringify(rows.attempts) });
    exposed.push({ where: 'GTOTVSLINKMESSAGE', text: JSON.stringify(rows.messages) });

    // Something was said about the refusals: otherwise "nothing leaked" would prove little.
    const serviceLogs = exposed.filter((e) => e.where.endsWith('stdout/stderr')).map((e) => e.text);
    expect(serviceLogs.join('\n')).toMatch(/HTTP 401/);
    expect(JSON.stringify(rows.attempts)).toMatch(/HTTP 401/);

    const leaks = exposed.flatMap(({ where, text: content }) => [
      ...(content.includes(SECRET) ? [`${where}: the client secret`] : []),
      ...(content.includes(system.redriveToken) ? [`${where}: the redrive token`] : []),
      ...[...content.matchAll(JWT)].map((m) => `${where}: a bearer token ${m[0].slice(0, 12)}…`),
    ]);
    expect(leaks).toEqual([]);
  });
});
