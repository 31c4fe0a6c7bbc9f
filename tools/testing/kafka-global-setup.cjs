// Jest globalSetup for integration configs created with `integration(dir, name, { kafka: true })`.
// Makes sure a Kafka broker answers before any test file runs, and hands its address to the tests through
// KAFKA_BROKERS (test workers start after this and inherit process.env). With KAFKA_BROKERS already set, that
// cluster is used and only checked; otherwise tools/kafka starts the local broker, or reuses it if it runs.
//
// The broker is deliberately never stopped here: other projects' test runs may be using it at the same time.
// Whoever started the whole run (the top-level test runner, or a developer) stops it with
// `node tools/kafka/kafka-broker.mjs stop`.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const REPO_ROOT = join(__dirname, '..', '..');
const BROKER_SCRIPT = join(REPO_ROOT, 'tools', 'kafka', 'kafka-broker.mjs');
// Room for a first-time jar download plus a broker start on a slow machine; normally this takes ~5 s.
const ENSURE_TIMEOUT_MS = 5 * 60_000;

module.exports = async function kafkaGlobalSetup() {
  const result = spawnSync(process.execPath, [BROKER_SCRIPT, 'ensure', '--json'], {
    cwd: REPO_ROOT,
    env: process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: ENSURE_TIMEOUT_MS,
  });
  if (result.error) {
    throw new Error(`Could not run ${BROKER_SCRIPT} ensure: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(
      `No Kafka broker for the integration tests (kafka-broker.mjs ensure exited ${result.status}; its message is above).`,
    );
  }
  const line = result.stdout.trim().split('\n').pop() ?? '';
  let brokers;
  try {
    brokers = JSON.parse(line).brokers;
  } catch {
    throw new Error(`kafka-broker.mjs ensure printed no JSON result: ${JSON.stringify(result.stdout)}`);
  }
  if (typeof brokers !== 'string' || brokers.length === 0) {
    throw new Error(`kafka-broker.mjs ensure reported no brokers: ${line}`);
  }
  process.env.KAFKA_BROKERS = brokers;
};
