#!/usr/bin/env node
// `npm start`: runs the system locally and shows it working until Ctrl-C. Starts (or reuses) the Kafka broker,
// builds the apps, starts each as a child process with its log under .local/run/, waits until each answers, then
// prints a live line of counts. Ctrl-C stops the children and the broker if this run started it.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runDir = join(root, '.local', 'run');
const SIM_PORT = Number(process.env.SIM_PORT ?? 8085);
const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const DEMO = {
  clientId: 'smartlink-demo',
  clientSecret: 'smartlink-demo-secret',
  commands: ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'],
  ratePerSecond: Number(process.env.DEMO_RATE ?? 20),
};

/** The processes `npm start` runs, in start order. */
const APPS = [
  {
    name: 'smartlink-sim',
    env: {
      SIM_PORT: String(SIM_PORT),
      SIM_DEMO_RATE: String(DEMO.ratePerSecond),
      SIM_DEMO_COMMANDS: DEMO.commands.join(','),
    },
    ready: () => fetchJson(`${SIM_URL}/admin/stats`),
  },
];

const children = new Map();
let brokerStartedHere = false;
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
      if (Date.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs / 1000} s: ${error.message}`);
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
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist', 'apps', app.name, 'main.js')], {
    cwd: root,
    env: { ...process.env, ...app.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

/** Registers the demo commands on the demo tenant's queue, as a client would, so demo traffic is routed. */
async function setUpDemoQueue() {
  const form = new URLSearchParams({
    client_id: DEMO.clientId,
    client_secret: DEMO.clientSecret,
    grant_type: 'client_credentials',
    scope: 'authorization_api',
  });
  const token = await fetchJson(`${SIM_URL}/totvs.rac/connect/token`, { method: 'POST', body: form });
  const tenant = JSON.parse(Buffer.from(token.access_token.split('.')[1], 'base64url').toString())[
    'http://www.tnf.com/identity/claims/tenantId'
  ];
  await fetchJson(`${SIM_URL}/api/v1/link/setup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subscriptions: DEMO.commands, tenants: [tenant] }),
  });
  return tenant;
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  mkdirSync(runDir, { recursive: true });

  const ensured = spawnSync(process.execPath, [join(root, 'tools/kafka/kafka-broker.mjs'), 'ensure', '--json'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (ensured.status !== 0) throw new Error('no Kafka broker (see above); set KAFKA_BROKERS to use an existing one');
  const broker = JSON.parse(ensured.stdout.trim().split('\n').pop());
  brokerStartedHere = broker.started;
  say(`Kafka broker at ${broker.brokers} (${broker.external ? 'external' : broker.started ? 'started' : 'reused'})`);

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

  const tenant = await setUpDemoQueue();
  say(`cloud simulator at ${SIM_URL}: tenant ${tenant} subscribed to ${DEMO.commands.join(', ')}`);
  say(`demo traffic: ${DEMO.ratePerSecond} messages/s into the tenant queue. Ctrl-C stops everything.`);

  for (;;) {
    const stats = await fetchJson(`${SIM_URL}/admin/stats`).catch(() => null);
    const queue = stats?.tenants?.[tenant] ?? stats?.tenants?.find?.((t) => t.tenantId === tenant);
    const line = queue
      ? `cloud queue: enqueued ${queue.enqueued}  ready ${queue.ready}  in flight ${queue.inFlight}  acked ${queue.acked}`
      : 'waiting for simulator stats...';
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
    else say(line);
    await delay(process.stderr.isTTY ? 1000 : 5000);
  }
}

main().catch((error) => {
  say(error.message);
  void shutdown(1);
});
