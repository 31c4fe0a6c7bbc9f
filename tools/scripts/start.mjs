#!/usr/bin/env node
// `npm start`: runs the system locally and shows it working until Ctrl-C. Starts (or reuses) the Kafka broker,
// builds the apps, starts each as a child process with its log under .local/run/, waits until each answers, then
// prints a live line of counts. Ctrl-C stops the children and the broker if this run started it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runDir = join(root, '.local', 'run');
const SIM_PORT = Number(process.env.SIM_PORT ?? 8085);
const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const SEGMENT_URL = 'http://127.0.0.1:8086';
const DEMO = {
  clientId: 'smartlink-demo',
  clientSecret: 'smartlink-demo-secret',
  tenant: '5b0c6e0e-3f4a-4d2b-9c8e-2a1f0d9e7c61',
  commands: ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'],
  ratePerSecond: Number(process.env.DEMO_RATE ?? 20),
};
const CLOUD = {
  SMARTLINK_RAC_URL: SIM_URL,
  SMARTLINK_API_URL: `${SIM_URL}/api/v1`,
  SMARTLINK_CLIENT_ID: DEMO.clientId,
  SMARTLINK_CLIENT_SECRET: DEMO.clientSecret,
};
const ready = (port) => () => fetchJson(`http://127.0.0.1:${port}/health/ready`);
/**
 * The retry scheduler refuses to start without a token for POST /redrive: a fresh random one per run (or the one in
 * REDRIVE_HTTP_TOKEN), kept in a file only this user can read rather than printed, so it stays out of scrollback.
 */
const REDRIVE_TOKEN = process.env.REDRIVE_HTTP_TOKEN || randomBytes(24).toString('hex');
const REDRIVE_TOKEN_FILE = join(runDir, 'redrive-token');

/**
 * The processes `npm start` runs, in start order: the cloud simulator, then the services that consume before the
 * poller that feeds them. They share the SQLite default database (.local/data/smartlink.sqlite) and the broker.
 */
const APPS = [
  {
    name: 'smartlink-sim',
    env: {
      SIM_PORT: String(SIM_PORT),
      SIM_CLIENTS: `${DEMO.clientId}:${DEMO.clientSecret}:${DEMO.tenant}`,
      SIM_DEMO_RATE: String(DEMO.ratePerSecond),
      SIM_DEMO_COMMANDS: DEMO.commands.join(','),
    },
    ready: () => fetchJson(`${SIM_URL}/admin/stats`),
  },
  { name: 'executor', env: { ...CLOUD }, ready: ready(8082) },
  // Plans the next attempt of a failed message (docs/retry-policy.md), hands it back when due, dead-letters.
  { name: 'retry-scheduler', env: { REDRIVE_HTTP_TOKEN: REDRIVE_TOKEN }, ready: ready(8083) },
  // Writes every service's and segment's message logs into GTOTVSLINKLOG; purges old history hourly.
  { name: 'log-writer', env: {}, ready: ready(8084) },
  { name: 'example-segment', env: { SEGMENT_NAME: 'example' }, ready: ready(8086) },
  {
    name: 'poller',
    // Continuous draining shows messages moving at once; RM's rhythm is POLL_CONTINUOUS=false (every 60 s).
    env: { ...CLOUD, SMARTLINK_SUBSCRIPTIONS: DEMO.commands.join(','), POLL_CONTINUOUS: 'true' },
    ready: ready(8081),
  },
];

const children = new Map();
let brokerStartedHere = false;
let brokers = '';
let stopping = false;

function say(message) {
  process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}[start] ${message}\n`);
}

async function fetchJson(url, init) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

async function waitUntil(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`${what} did not answer within ${timeoutMs / 1000} s: ${error.message}`);
    }
    await delay(200);
  }
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function startApp(app) {
  const logFile = join(runDir, `${app.name}.log`);
  const log = createWriteStream(logFile, { flags: 'w' });
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(root, 'dist', 'apps', app.name, 'main.js')],
    {
      cwd: root,
      env: { ...process.env, HTTP_HOST: '127.0.0.1', KAFKA_BROKERS: brokers, ...app.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on('exit', (code, signal) => {
    children.delete(app.name);
    if (stopping) return;
    say(`${app.name} exited (${signal ?? `code ${code}`}); last lines of ${logFile}:\n${tail(logFile)}`);
    void shutdown(1);
  });
  children.set(app.name, { child, logFile });
  return logFile;
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  await Promise.all(
    [...children.values()].map(
      ({ child }) =>
        new Promise((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (brokerStartedHere) {
    say('stopping the Kafka broker this run started');
    spawnSync(process.execPath, [join(root, 'tools/kafka/kafka-broker.mjs'), 'stop'], { stdio: 'inherit' });
  }
  process.exit(code);
}

/**
 * Besides the simulator's steady demo traffic, now and then an invoice that the example segment fails on purpose
 * (apps/example-segment: `failAttempts`, `fatal`), so retries and dead letters show up in the live line too.
 */
function feedFailingInvoices() {
  let sequence = 0;
  const timer = setInterval(() => {
    sequence += 1;
    const data = sequence % 6 === 0 ? { fatal: true } : { failAttempts: 2 };
    fetchJson(`${SIM_URL}/admin/tenants/${DEMO.tenant}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ style: 'cloudevents', type: 'DemoInvoiceIssued', data }] }),
    }).catch(() => undefined);
  }, 5_000);
  timer.unref();
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  mkdirSync(runDir, { recursive: true });
  writeFileSync(REDRIVE_TOKEN_FILE, `${REDRIVE_TOKEN}\n`, { mode: 0o600 });

  const ensured = spawnSync(
    process.execPath,
    [join(root, 'tools/kafka/kafka-broker.mjs'), 'ensure', '--json'],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (ensured.status !== 0)
    throw new Error('no Kafka broker (see above); set KAFKA_BROKERS to use an existing one');
  const broker = JSON.parse(ensured.stdout.trim().split('\n').pop());
  brokerStartedHere = broker.started;
  brokers = broker.brokers;
  say(
    `Kafka broker at ${broker.brokers} (${broker.external ? 'external' : broker.started ? 'started' : 'reused'})`,
  );

  say('building the apps (cached after the first time)...');
  const build = spawnSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '-p', ...APPS.map((a) => a.name), '--output-style=static'],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (build.status !== 0) throw new Error('the build failed (see above)');

  for (const app of APPS) {
    const logFile = startApp(app);
    await waitUntil(app.name, app.ready);
    say(`${app.name} is up (log: ${logFile})`);
  }

  say(
    `cloud simulator at ${SIM_URL} feeding ${DEMO.ratePerSecond} messages/s of ${DEMO.commands.join(', ')}`,
  );
  say(
    'poller → Kafka → executor → example segment → GTOTVSLINKMESSAGEEXEC (SQLite: .local/data/smartlink.sqlite)',
  );
  say('each DemoPing is answered with a DemoPong the executor sends to the cloud ("received" below)');
  say(
    `POST http://127.0.0.1:8083/redrive wants -H "authorization: Bearer $(cat ${REDRIVE_TOKEN_FILE})" ` +
      '(a new token each run)',
  );
  say('Ctrl-C stops everything.');
  feedFailingInvoices();

  while (!stopping) {
    const [cloud, segment, retries, logs] = await Promise.all([
      fetchJson(`${SIM_URL}/admin/stats`).catch(() => null),
      fetchJson(`${SEGMENT_URL}/stats`).catch(() => null),
      fetchJson('http://127.0.0.1:8083/stats').catch(() => null),
      fetchJson('http://127.0.0.1:8084/stats').catch(() => null),
    ]);
    const queue = cloud?.tenants?.[DEMO.tenant];
    const handled = Object.values(segment?.handled ?? {}).reduce(
      (sum, counts) => ({
        succeeded: sum.succeeded + (counts.succeeded ?? 0),
        failed: sum.failed + (counts.failed ?? 0) + (counts.fatal ?? 0),
      }),
      { succeeded: 0, failed: 0 },
    );
    if (stopping) break;
    const line = queue
      ? `cloud: enqueued ${queue.enqueued}, waiting ${queue.ready + queue.inFlight}, acked ${queue.acked}, ` +
        `received ${queue.sent}  |  segment: succeeded ${handled.succeeded}, failed ${handled.failed}` +
        `  |  retries ${retries?.counters?.retriesScheduled ?? 0}, ` +
        `dead ${retries?.counters?.deadLettered ?? 0}  |  log-writer rows ${logs?.written ?? 0}`
      : 'waiting for the simulator...';
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
    else say(line);
    await delay(process.stderr.isTTY ? 1000 : 5000);
  }
}

main().catch((error) => {
  say(error.message);
  void shutdown(1);
});
