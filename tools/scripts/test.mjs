#!/usr/bin/env node
// `npm test`: every ring of tests over every project — typecheck, lint, unit, integration, end to end — against real
// infrastructure. Starts the single-node Kafka broker from tools/kafka unless KAFKA_BROKERS names a cluster,
// checks that PostgreSQL answers, runs Nx, and stops the broker again if this run started it.
// Extra arguments go to `nx run-many`, e.g. `npm test -- --projects=messaging`.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGETS = ['typecheck', 'lint', 'test', 'integration', 'e2e'];
const postgresUrl = new URL(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

function log(message) {
  console.error(`[test] ${message}`);
}

function reachable(host, port, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function kafkaTool(...args) {
  return spawnSync(process.execPath, [join(root, 'tools/kafka/kafka-broker.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

let startedBroker = false;
function stopBrokerIfOurs() {
  if (!startedBroker) return;
  startedBroker = false;
  log('stopping the Kafka broker this run started');
  kafkaTool('stop');
}

async function main() {
  const pgHost = postgresUrl.hostname;
  const pgPort = Number(postgresUrl.port || 5432);
  if (!(await reachable(pgHost, pgPort))) {
    log(`PostgreSQL does not answer at ${pgHost}:${pgPort}. Start it, or point TEST_POSTGRES_URL at one.`);
    return 1;
  }

  const ensured = kafkaTool('ensure', '--json');
  if (ensured.status !== 0) {
    log('could not get a Kafka broker (see above). Set KAFKA_BROKERS to use an existing cluster.');
    return ensured.status ?? 1;
  }
  const broker = JSON.parse(ensured.stdout.trim().split('\n').pop());
  startedBroker = broker.started;
  log(`Kafka at ${broker.brokers} (${broker.external ? 'external' : broker.started ? 'started now' : 'reused'})`);

  const nx = spawn(
    'npx',
    ['nx', 'run-many', '-t', ...TARGETS, '--output-style=static', ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, KAFKA_BROKERS: broker.brokers, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    },
  );
  const forward = (signal) => nx.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => nx.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

main()
  .then((code) => {
    stopBrokerIfOurs();
    process.exit(code);
  })
  .catch((error) => {
    log(error.stack ?? String(error));
    stopBrokerIfOurs();
    process.exit(1);
  });
