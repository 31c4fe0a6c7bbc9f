#!/usr/bin/env node
// `npm test`: every ring of tests over every project — typecheck, lint, unit, integration, end to end — against real
// infrastructure. Starts the single-node Kafka broker from tools/kafka unless KAFKA_BROKERS names a cluster,
// checks that PostgreSQL answers, runs Nx, and stops the broker again if this run started it. Then the reliability
// suite (apps/reliability: the whole system under kills, infrastructure faults and bad input) runs, whatever the rings
// said, so one run reports both; SMARTLINK_SKIP_RELIABILITY=true leaves it out.
// Extra arguments go to `nx run-many` and leave the reliability suite out, e.g. `npm test -- --projects=messaging`.
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
  log(
    `Kafka at ${broker.brokers} (${broker.external ? 'external' : broker.started ? 'started now' : 'reused'})`,
  );

  const extra = process.argv.slice(2);
  const env = { ...process.env, KAFKA_BROKERS: broker.brokers, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  const rings = await nx(['run-many', '-t', ...TARGETS, '--output-style=static', ...extra], env);
  if (extra.length > 0 || process.env.SMARTLINK_SKIP_RELIABILITY === 'true') return rings;
  log(`rings ${rings === 0 ? 'passed' : 'FAILED'}; now the reliability suite (apps/reliability/README.md)`);
  // After passing rings every app is built already (the e2e ring depends on the builds): no second build.
  const reliability = await nx(
    [
      'run-many',
      '-t',
      'reliability',
      '--projects=reliability',
      '--output-style=static',
      ...(rings === 0 ? ['--excludeTaskDependencies'] : []),
    ],
    env,
  );
  if (rings !== 0 || reliability !== 0) {
    log(
      `failed: ${[rings !== 0 && 'the test rings', reliability !== 0 && 'the reliability suite'].filter(Boolean).join(' and ')}`,
    );
    return rings || reliability;
  }
  return 0;
}

let child = null;
process.on('SIGINT', () => child?.kill('SIGINT'));
process.on('SIGTERM', () => child?.kill('SIGTERM'));

/** Runs `npx nx <args>` with the output shown; resolves with its exit code. */
function nx(args, env) {
  return new Promise((resolve) => {
    child = spawn('npx', ['nx', ...args], { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code, signal) => {
      child = null;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
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
