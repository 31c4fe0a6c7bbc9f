#!/usr/bin/env node
// Fetches and runs a real, single-node Apache Kafka broker (KRaft, broker + controller in one JVM) for local
// runs and tests, on machines without Docker. Dependency-free on purpose: it must work on a fresh clone,
// before `npm install`, so only Node built-ins are used. See tools/kafka/README.md.
//
//   node tools/kafka/kafka-broker.mjs fetch | start | stop | status | ensure [--json] [--port N] [--data-dir D] [--fresh]
//   node tools/kafka/kafka-broker.mjs perf-test -- <kafka-producer-perf-test arguments>
//
// Human progress goes to stderr; the result (a summary line, or one JSON line with --json) goes to stdout, so
// callers such as the jest global setup can parse stdout.

import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  readSecurity,
  scramFormatArgs,
  securedAddresses,
  securedListeners,
  securityProperties,
  securityProtocolMap,
} from './security.mjs';

export const TOOL_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(TOOL_DIR, '..', '..');
const POM_FILE = path.join(TOOL_DIR, 'pom.xml');
export const LOG4J_CONFIG = path.join(TOOL_DIR, 'log4j2.properties');
export const LOG4J_TOOLS_CONFIG = path.join(TOOL_DIR, 'log4j2-tools.properties');
export const LOCAL_DIR = path.join(REPO_ROOT, '.local', 'kafka');

const DEFAULT_PORT = 19092;
const DEFAULT_HEAP_OPTS = '-Xms256m -Xmx1g';
const DEFAULT_START_TIMEOUT_MS = 60_000;
const MIN_JAVA = 17;
export const STOP_GRACE_MS = 30_000;
export const KILL_WAIT_MS = 10_000;
const PROBE_TIMEOUT_MS = 1_000;
// Long enough to sit behind another process's first fetch (~30 s) plus its start; a dead holder is detected
// by pid long before that, so the wait only runs out when a live holder is truly stuck.
const LOCK_WAIT_MS = 10 * 60_000;
export const LOG_TAIL_LINES = 40;

/** Exit codes, documented in README.md. */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NOT_RUNNING: 3,
  PORT_IN_USE: 4,
  PREREQUISITE: 5,
  FETCH_FAILED: 6,
  START_FAILED: 7,
  UNREACHABLE: 8,
  STOP_FAILED: 9,
};

export class CliError extends Error {
  constructor(exitCode, message) {
    super(message);
    this.exitCode = exitCode;
  }
}

const USAGE = `Usage: node tools/kafka/kafka-broker.mjs <command> [options]

Commands:
  fetch    download the Kafka jars with Maven into .local/kafka/<version>/lib (skipped when up to date)
  start    start the local broker, or reuse it when it is already running; waits until it answers
  stop     stop the local broker (SIGTERM, then SIGKILL after ${STOP_GRACE_MS / 1000} s)
  status   show whether the local broker runs and answers (exit 0 running, 3 not running)
  ensure   use KAFKA_BROKERS when set (only checks that it answers), otherwise start the local broker
  cluster start|stop|kill|status|quorum [--node I]
           a KRaft cluster of several nodes on this machine (default 3, each broker and controller, replication
           factor 3, min.insync.replicas 2); --node I acts on one node only. See cluster.mjs and README.md.
  perf-test -- ARGS
           run Kafka's own producer benchmark (kafka-producer-perf-test, org.apache.kafka.tools.ProducerPerformance)
           with the fetched jars and this Java; ARGS go to it as given, e.g.
           -- --topic T --num-records 100000 --record-size 1024 --throughput -1
              --producer-props bootstrap.servers=localhost:19092 acks=all

Options:
  --port N             broker port (env KAFKA_PORT, default ${DEFAULT_PORT}); the controller uses N+1
  --controller-port N  controller port (env KAFKA_CONTROLLER_PORT)
  --data-dir DIR       data directory (env KAFKA_DATA_DIR, default .local/kafka/data)
  --timeout-ms N       how long start waits for the broker to answer (env KAFKA_START_TIMEOUT_MS, default ${DEFAULT_START_TIMEOUT_MS})
  --fresh              start: stop the broker if running and wipe its data directory first
  --json               start/ensure/status/cluster: print the result as one JSON line
  --nodes N            cluster: how many nodes (default 3)
  --base-port N        cluster: node I (1-based) listens on N+2(I-1) (broker) and N+2(I-1)+1 (controller); default 19192
  --node I             cluster start/stop/kill/status: only node I

Secured listeners (start; see README.md), beside the plaintext one:
  --ssl-port N         add an SSL listener on localhost:N
  --sasl-ssl-port N    add a SASL_SSL listener on localhost:N (SCRAM-SHA-256 and SCRAM-SHA-512)
  --ssl-keystore FILE  PEM file: unencrypted PKCS#8 private key, then the certificate chain
  --scram-users FILE   lines of user:password, stored for both SCRAM mechanisms when the data dir is formatted`;

// ---------------------------------------------------------------------------------------------------------------
// Settings

export function parsePort(value, name) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CliError(EXIT.USAGE, `${name} must be a TCP port (1-65535).`);
  }
  return port;
}

// Empty environment variables count as unset, as in the services' settings.
function readSettings(values, env) {
  const port = parsePort(
    values.port ?? (env.KAFKA_PORT || DEFAULT_PORT),
    values.port ? '--port' : 'KAFKA_PORT',
  );
  const controllerPort = parsePort(
    values['controller-port'] ?? (env.KAFKA_CONTROLLER_PORT || port + 1),
    values['controller-port'] ? '--controller-port' : 'KAFKA_CONTROLLER_PORT',
  );
  if (controllerPort === port) {
    throw new CliError(
      EXIT.USAGE,
      'The controller port must differ from the broker port (KAFKA_CONTROLLER_PORT).',
    );
  }
  // The default data dir is keyed by port too, so `--port 19093` alone never shares the default broker's data.
  const defaultDataDir = path.join(LOCAL_DIR, port === DEFAULT_PORT ? 'data' : `data-${port}`);
  const dataDir = path.resolve(values['data-dir'] ?? (env.KAFKA_DATA_DIR || defaultDataDir));
  const startTimeoutMs = Number(
    values['timeout-ms'] ?? (env.KAFKA_START_TIMEOUT_MS || DEFAULT_START_TIMEOUT_MS),
  );
  if (!Number.isInteger(startTimeoutMs) || startTimeoutMs < 1000) {
    throw new CliError(
      EXIT.USAGE,
      'KAFKA_START_TIMEOUT_MS (--timeout-ms) must be a whole number of milliseconds >= 1000.',
    );
  }
  const security = readSecurity(values, { port, controllerPort }, (message) => {
    throw new CliError(EXIT.USAGE, message);
  });
  // State files sit next to the data dir and carry the port, so two brokers on different ports never clash.
  const stateDir = path.dirname(dataDir);
  return {
    port,
    controllerPort,
    security,
    brokers: `localhost:${port}`,
    dataDir,
    stateDir,
    pidFile: path.join(stateDir, `broker-${port}.pid`),
    logFile: path.join(stateDir, `broker-${port}.log`),
    lockFile: path.join(stateDir, `broker-${port}.lock`),
    configFile: path.join(stateDir, `server-${port}.properties`),
    heapOpts: (env.KAFKA_HEAP_OPTS || DEFAULT_HEAP_OPTS).split(/\s+/).filter(Boolean),
    startTimeoutMs,
    env,
  };
}

export function kafkaVersion() {
  const pom = fs.readFileSync(POM_FILE, 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match) throw new CliError(EXIT.FAILED, `${POM_FILE} has no <kafka.version> property.`);
  return match[1];
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (message) => process.stderr.write(`${message}\n`);
export const seconds = (sinceMs) => ((Date.now() - sinceMs) / 1000).toFixed(1);

export function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The command line of a live process as one space-joined string, or null (gone, zombie, or unreadable). */
export function commandLine(pid) {
  if (fs.existsSync('/proc/self/cmdline')) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return args.length > 0 ? args.join(' ') : null; // a zombie has an empty cmdline
    } catch {
      return null;
    }
  }
  const ps = spawnSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  const text = ps.status === 0 ? ps.stdout.trim() : '';
  return text || null;
}

/**
 * True only when `pid` is the Kafka JVM started with this port's config file. Checked right before every
 * signal, so a pid file left behind by a crash can never make us kill an unrelated process that got its pid.
 */
export function isOurBroker(pid, s) {
  const cmd = commandLine(pid);
  return cmd !== null && cmd.includes(`kafka.Kafka ${s.configFile}`);
}

/** Our running broker's pid: from the pid file, or (if that was lost) by scanning /proc for our command line. */
export function findOurBroker(s) {
  const recorded = readPid(s.pidFile);
  if (recorded && isOurBroker(recorded, s)) return recorded;
  if (!fs.existsSync('/proc/self/cmdline')) return null;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (isOurBroker(pid, s)) {
      fs.writeFileSync(s.pidFile, `${pid}\n`);
      return pid;
    }
  }
  return null;
}

export function removeFile(file) {
  fs.rmSync(file, { force: true });
}

export function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

export function printLogTail(s) {
  log(`--- last ${LOG_TAIL_LINES} lines of ${s.logFile} ---`);
  log(tail(s.logFile, LOG_TAIL_LINES));
  log('--- end of log ---');
}

// ---------------------------------------------------------------------------------------------------------------
// Lock: concurrent `start`/`ensure` calls (two jest processes at once) must not start two brokers.

function isLockHolderAlive(pid) {
  if (!isAlive(pid)) return false;
  const cmd = commandLine(pid);
  // A recycled pid that now belongs to some other program does not hold our lock.
  return cmd === null || cmd.includes('kafka-broker.mjs');
}

export async function withLock(lockFile, what, fn) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = readPid(lockFile);
    let ageMs = 0;
    try {
      ageMs = Date.now() - fs.statSync(lockFile).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // Stale: the holder died (kill -9, crash), or it died between creating the file and writing its pid.
    if (holder ? !isLockHolderAlive(holder) : ageMs > 5_000) {
      breakStaleLock(lockFile, holder);
      continue;
    }
    if (!announced) {
      log(`Waiting for ${what}: another kafka-broker.mjs (pid ${holder ?? '?'}) holds ${lockFile}.`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new CliError(
        EXIT.FAILED,
        `Timed out waiting for ${lockFile} (held by pid ${holder ?? '?'}). If no kafka-broker.mjs is running, delete that file.`,
      );
    }
    await sleep(200);
  }
  const release = () => {
    if (readPid(lockFile) === process.pid) removeFile(lockFile);
  };
  process.once('exit', release);
  try {
    return await fn();
  } finally {
    release();
    process.removeListener('exit', release);
  }
}

function breakStaleLock(lockFile, stalePid) {
  // Move the file aside atomically and check that it was the stale one, so two processes breaking the same
  // stale lock at once cannot delete the fresh lock a third process has just taken.
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return;
  }
  if (readPid(aside) !== stalePid) {
    try {
      fs.linkSync(aside, lockFile); // it was a fresh lock: put it back if the slot is still free
    } catch {
      /* the slot was taken again meanwhile; that holder's lock stands */
    }
  }
  removeFile(aside);
}

// ---------------------------------------------------------------------------------------------------------------
// Speaking the Kafka protocol. We probe with a real ApiVersions request instead of an open-port check, because a
// KRaft broker listens before it can serve requests, and instead of Kafka's own CLI or kafkajs because this script
// has no dependencies (it runs before `npm install`) and a JVM per probe would take seconds.

const API_VERSIONS_KEY = 18;
const API_VERSIONS_VERSION = 2; // request header v1, empty body; the response starts with correlation id + error code

function apiVersionsRequest(correlationId) {
  const clientId = Buffer.from('smartlink-kafka-broker-probe');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  let offset = body.writeInt16BE(API_VERSIONS_KEY, 0);
  offset = body.writeInt16BE(API_VERSIONS_VERSION, offset);
  offset = body.writeInt32BE(correlationId, offset);
  offset = body.writeInt16BE(clientId.length, offset);
  clientId.copy(body, offset);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/**
 * Sends one ApiVersions request and resolves `{ ok, detail }`: ok when the broker answered with error_code 0.
 * Never rejects; a refused connection, a timeout or garbage all come back as `ok: false` with a reason.
 */
export function probeKafka(host, port, { useTls = false, timeoutMs = PROBE_TIMEOUT_MS } = {}) {
  return new Promise((resolve) => {
    const correlationId = randomBytes(4).readInt32BE(0) & 0x7fffffff;
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = useTls
      ? // Liveness only: nothing secret is sent, so the certificate is not checked here (the clients check it).
        tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false })
      : net.connect({ host, port, autoSelectFamily: true });
    const finish = (ok, detail) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok, detail });
    };
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once(useTls ? 'secureConnect' : 'connect', () => socket.write(apiVersionsRequest(correlationId)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (size < 6 || size > 1_000_000) return finish(false, 'not a Kafka response');
      if (received.length < 4 + size) return;
      if (received.readInt32BE(4) !== correlationId)
        return finish(false, 'not a Kafka response (correlation id)');
      const errorCode = received.readInt16BE(8);
      finish(errorCode === 0, errorCode === 0 ? 'answering' : `ApiVersions error_code ${errorCode}`);
    });
    socket.on('error', (error) => finish(false, error.code ?? error.message));
    socket.on('close', () => finish(false, 'connection closed'));
  });
}

/** Parses `host:port[,host:port...]` (IPv6 as `[::1]:9092`). */
function parseBrokerList(list) {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(entry);
      if (!match)
        throw new CliError(EXIT.USAGE, `KAFKA_BROKERS must be a comma-separated list of host:port.`);
      return { host: match[1] ?? match[2], port: parsePort(match[3], 'KAFKA_BROKERS port') };
    });
}

export async function isPortOpen(port) {
  const attempts = ['127.0.0.1', '::1'].map(
    (host) =>
      new Promise((resolve) => {
        const socket = net.connect({ host, port });
        const done = (open) => {
          socket.destroy();
          resolve(open);
        };
        socket.setTimeout(500, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      }),
  );
  return (await Promise.all(attempts)).some(Boolean);
}

// ---------------------------------------------------------------------------------------------------------------
// Prerequisites

export function findJava(env) {
  const javaHome = env.JAVA_HOME;
  const bin = javaHome ? path.join(javaHome, 'bin', 'java') : 'java';
  const fix = `Kafka needs Java ${MIN_JAVA} or newer: install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) and put it on PATH or point JAVA_HOME at it.`;
  if (javaHome && !fs.existsSync(bin)) {
    throw new CliError(
      EXIT.PREREQUISITE,
      `JAVA_HOME is set to ${javaHome}, but ${bin} does not exist. ${fix} Or unset JAVA_HOME to use java from PATH.`,
    );
  }
  const result = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  if (result.error?.code === 'ENOENT') {
    throw new CliError(EXIT.PREREQUISITE, `Java was not found on PATH. ${fix}`);
  }
  if (result.error || result.status !== 0) {
    throw new CliError(
      EXIT.PREREQUISITE,
      `Could not run ${bin} -version (${result.error?.message ?? `exit ${result.status}`}). ${fix}`,
    );
  }
  // `java -version` prints to stderr: openjdk version "17.0.15" ... or, before Java 9, version "1.8.0_402".
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}\n${result.stdout}`);
  if (!match) {
    throw new CliError(EXIT.PREREQUISITE, `Could not read the Java version from ${bin} -version. ${fix}`);
  }
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < MIN_JAVA) {
    throw new CliError(EXIT.PREREQUISITE, `${bin} is Java ${major}. ${fix}`);
  }
  return { bin, major };
}

// ---------------------------------------------------------------------------------------------------------------
// fetch

function libPaths() {
  const version = kafkaVersion();
  const versionDir = path.join(LOCAL_DIR, version);
  return {
    version,
    libDir: path.join(versionDir, 'lib'),
    stampFile: path.join(versionDir, 'lib.stamp'),
    lockFile: path.join(versionDir, 'fetch.lock'),
  };
}

const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const stripAnsi = (text) => text.replace(ANSI_ESCAPE, '');

function pomHash() {
  return createHash('sha256').update(fs.readFileSync(POM_FILE)).digest('hex');
}

function isFetched({ libDir, stampFile }) {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim() === pomHash() && fs.readdirSync(libDir).length > 0;
  } catch {
    return false;
  }
}

/** Makes sure the jars for the pom's Kafka version are in .local/kafka/<version>/lib; returns that directory. */
export async function fetchJars() {
  const paths = libPaths();
  if (isFetched(paths)) return { ...paths, fetched: false };
  return withLock(paths.lockFile, 'the Kafka download', async () => {
    if (isFetched(paths)) return { ...paths, fetched: false }; // another process fetched while we waited
    const started = Date.now();
    log(
      `Fetching Apache Kafka ${paths.version} with Maven into ${path.relative(REPO_ROOT, paths.libDir)} (about 54 MB, once)...`,
    );
    // Download into a fresh directory and swap it in, so a changed pom never leaves stale jars on the classpath.
    const partial = `${paths.libDir}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    const mvn = spawnSync(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        POM_FILE,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${partial}`,
      ],
      // Captured, not inherited: with -q Maven prints nothing useful on success (Debian's build still emits
      // colour resets), and on failure its output is shown below.
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (mvn.error?.code === 'ENOENT') {
      throw new CliError(
        EXIT.PREREQUISITE,
        'Maven (mvn) was not found on PATH. It is needed once, to download the Kafka jars: install Maven 3.6+ (Debian/Ubuntu: apt-get install maven; macOS: brew install maven), or set KAFKA_BROKERS to use a Kafka cluster you already run.',
      );
    }
    const brokerJar = path.join(partial, `kafka_2.13-${paths.version}.jar`);
    if (mvn.status !== 0 || !fs.existsSync(brokerJar)) {
      fs.rmSync(partial, { recursive: true, force: true });
      log(stripAnsi(`${mvn.stdout ?? ''}${mvn.stderr ?? ''}`).trim());
      throw new CliError(
        EXIT.FETCH_FAILED,
        `Maven could not fetch Kafka ${paths.version} (exit ${mvn.status ?? mvn.error?.message}); see its output above. Check network access to Maven Central (proxies and mirrors go in ~/.m2/settings.xml), or set KAFKA_BROKERS to use an existing cluster.`,
      );
    }
    fs.rmSync(paths.libDir, { recursive: true, force: true });
    fs.renameSync(partial, paths.libDir);
    fs.writeFileSync(paths.stampFile, `${pomHash()}\n`);
    log(`Fetched ${fs.readdirSync(paths.libDir).length} jars in ${seconds(started)} s.`);
    return { ...paths, fetched: true };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// start

function serverProperties(s) {
  const escape = (value) => value.replaceAll('\\', '\\\\');
  return `# Generated by tools/kafka/kafka-broker.mjs on every start; edits are overwritten.
# Single-node KRaft: one JVM is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:${s.controllerPort}
listeners=${[`PLAINTEXT://localhost:${s.port}`, `CONTROLLER://localhost:${s.controllerPort}`, ...securedListeners(s.security)].join(',')}
advertised.listeners=${[`PLAINTEXT://localhost:${s.port}`, ...securedListeners(s.security)].join(',')}
controller.listener.names=CONTROLLER
listener.security.protocol.map=${['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...securityProtocolMap(s.security)].join(',')}
inter.broker.listener.name=PLAINTEXT
log.dirs=${escape(s.dataDir)}
# Topics are created explicitly by the services; a typo must fail, not create a topic.
auto.create.topics.enable=false
num.partitions=1
# One node: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Few internal partitions and no initial rebalance delay keep the first group join fast (tests join many groups).
offsets.topic.num.partitions=8
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
${securityProperties(s.security, escape)}`;
}

function looksLikeKafkaDataDir(dir) {
  if (!fs.existsSync(dir)) return true;
  const entries = fs.readdirSync(dir);
  return entries.length === 0 || entries.includes('meta.properties');
}

/** Refuses to share a data dir with our broker on another port (Kafka would refuse too, but only after --fresh wiped it). */
function assertDataDirNotShared(s) {
  if (!fs.existsSync(s.stateDir)) return;
  for (const name of fs.readdirSync(s.stateDir)) {
    const match = /^server-(\d+)\.properties$/.exec(name);
    if (!match || Number(match[1]) === s.port) continue;
    const config = fs.readFileSync(path.join(s.stateDir, name), 'utf8');
    const dirs = /^log\.dirs=(.*)$/m.exec(config)?.[1]?.replaceAll('\\\\', '\\');
    const other = {
      ...s,
      configFile: path.join(s.stateDir, name),
      pidFile: path.join(s.stateDir, `broker-${match[1]}.pid`),
    };
    const pid = readPid(other.pidFile);
    if (dirs === s.dataDir && pid && isOurBroker(pid, other)) {
      throw new CliError(
        EXIT.USAGE,
        `${s.dataDir} is the data dir of the broker on port ${match[1]} (pid ${pid}). Give this one its own KAFKA_DATA_DIR (--data-dir) or stop that broker.`,
      );
    }
  }
}

function formatStorage(java, libDir, s) {
  // What `kafka-storage random-uuid` prints, minus its log noise. Like Kafka's Uuid.randomUuid(), never an id that
  // starts with '-': the storage tool's argument parser would take it for an option (1 format in 64 failed so).
  let clusterId;
  do clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  const result = spawnSync(
    java.bin,
    [
      `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
      '-cp',
      path.join(libDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      s.configFile,
      '--standalone',
      ...scramFormatArgs(s.security),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    log(`${result.stdout}${result.stderr}`.trim());
    throw new CliError(
      EXIT.START_FAILED,
      `Formatting ${s.dataDir} failed (output above). Retry with --fresh to start from an empty data dir.`,
    );
  }
}

async function waitUntilAnswering(s, pid, child) {
  const deadline = Date.now() + s.startTimeoutMs;
  let exit = null;
  child?.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  let last = 'not probed yet';
  for (;;) {
    if (exit || (!child && !isOurBroker(pid, s))) {
      throw new CliError(
        EXIT.START_FAILED,
        `The Kafka broker (pid ${pid}) exited during start-up (${exit ?? 'gone'}).`,
      );
    }
    const probe = await probeSecured(s, await probeKafka('localhost', s.port));
    if (probe.ok) return;
    last = probe.detail;
    if (Date.now() >= deadline) {
      throw new CliError(
        EXIT.START_FAILED,
        `The Kafka broker (pid ${pid}) did not answer on localhost:${s.port} within ${s.startTimeoutMs} ms (last probe: ${last}). Raise KAFKA_START_TIMEOUT_MS on a slow machine.`,
      );
    }
    await sleep(250);
  }
}

/** Once the plaintext listener answers, each secured listener must answer too (ApiVersions needs no SASL yet). */
async function probeSecured(s, plaintext) {
  if (!plaintext.ok) return plaintext;
  const { ssl, saslSsl } = securedAddresses(s.security);
  for (const [name, address] of [
    ['SSL', ssl],
    ['SASL_SSL', saslSsl],
  ]) {
    if (address === null) continue;
    const probe = await probeKafka('localhost', Number(address.split(':')[1]), { useTls: true });
    if (!probe.ok) return { ok: false, detail: `${name} listener on ${address}: ${probe.detail}` };
  }
  return plaintext;
}

async function start(s, { fresh = false } = {}) {
  return withLock(s.lockFile, `the broker on port ${s.port}`, async () => {
    let pid = findOurBroker(s);
    if (pid && fresh) {
      log(`--fresh: stopping the running broker (pid ${pid}) first.`);
      await stopProcess(pid, s);
      pid = null;
    }
    if (pid) {
      log(`Kafka broker already running on ${s.brokers} (pid ${pid}); reusing it.`);
      try {
        await waitUntilAnswering(s, pid, null);
      } catch (error) {
        printLogTail(s);
        throw new CliError(
          EXIT.START_FAILED,
          `${error.message} It was left running: inspect the log, then run "stop" (or start with --fresh).`,
        );
      }
      return { started: false, pid };
    }
    removeFile(s.pidFile);

    for (const [name, port] of [
      ['KAFKA_PORT', s.port],
      ['KAFKA_CONTROLLER_PORT', s.controllerPort],
      ...(s.security?.sslPort ? [['--ssl-port', s.security.sslPort]] : []),
      ...(s.security?.saslSslPort ? [['--sasl-ssl-port', s.security.saslSslPort]] : []),
    ]) {
      if (await isPortOpen(port)) {
        throw new CliError(
          EXIT.PORT_IN_USE,
          `Port ${port} is in use by a process that is not this script's broker. Choose free ports with ${name} (or --port), or set KAFKA_BROKERS to use the Kafka that is already running.`,
        );
      }
    }
    assertDataDirNotShared(s);
    const java = findJava(s.env);
    const { libDir, version } = await fetchJars();

    if (fresh) {
      if (!looksLikeKafkaDataDir(s.dataDir)) {
        throw new CliError(
          EXIT.USAGE,
          `--fresh refuses to wipe ${s.dataDir}: it is not empty and holds no meta.properties, so it does not look like a Kafka data dir.`,
        );
      }
      fs.rmSync(s.dataDir, { recursive: true, force: true });
    }
    fs.mkdirSync(s.dataDir, { recursive: true });
    fs.writeFileSync(s.configFile, serverProperties(s));
    if (!fs.existsSync(path.join(s.dataDir, 'meta.properties'))) {
      log(`Formatting ${s.dataDir} for a new single-node cluster.`);
      formatStorage(java, libDir, s);
    }

    if (fs.existsSync(s.logFile)) fs.renameSync(s.logFile, `${s.logFile}.1`);
    const started = Date.now();
    const out = fs.openSync(s.logFile, 'w');
    // Detached: the broker outlives this script (and a Ctrl-C in the terminal that ran it). stdout/stderr go to
    // the log file, not to pipes, so nothing here keeps this script alive.
    const child = spawn(
      java.bin,
      [
        ...s.heapOpts,
        `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
        '-Djava.awt.headless=true',
        '-cp',
        path.join(libDir, '*'),
        'kafka.Kafka',
        s.configFile,
      ],
      { cwd: s.stateDir, detached: true, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    child.unref();
    fs.writeFileSync(s.pidFile, `${child.pid}\n`);
    log(`Starting Kafka ${version} on ${s.brokers} (pid ${child.pid}, log ${s.logFile})...`);

    try {
      await waitUntilAnswering(s, child.pid, child);
    } catch (error) {
      printLogTail(s);
      if (isOurBroker(child.pid, s)) await stopProcess(child.pid, s, 5_000);
      removeFile(s.pidFile);
      throw error;
    }
    log(`Kafka broker answering on ${s.brokers} after ${seconds(started)} s.`);
    return { started: true, pid: child.pid };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// stop

export async function waitUntil(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

export async function stopProcess(pid, s, graceMs = STOP_GRACE_MS) {
  const gone = () => !isOurBroker(pid, s);
  if (gone()) return;
  process.kill(pid, 'SIGTERM'); // Kafka shuts down cleanly on SIGTERM (flushes logs, leaves the quorum)
  if (await waitUntil(gone, graceMs)) return;
  log(`The broker (pid ${pid}) did not stop within ${graceMs / 1000} s; sending SIGKILL.`);
  if (!gone()) process.kill(pid, 'SIGKILL');
  if (!(await waitUntil(gone, KILL_WAIT_MS))) {
    throw new CliError(EXIT.STOP_FAILED, `The broker (pid ${pid}) survived SIGKILL; check it with ps.`);
  }
}

async function stop(s) {
  return withLock(s.lockFile, `the broker on port ${s.port}`, async () => {
    const pid = findOurBroker(s);
    if (!pid) {
      removeFile(s.pidFile);
      return { stopped: false };
    }
    const started = Date.now();
    await stopProcess(pid, s);
    removeFile(s.pidFile);
    log(`Stopped the Kafka broker on ${s.brokers} (pid ${pid}) in ${seconds(started)} s.`);
    return { stopped: true, pid };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

const print = (text) => process.stdout.write(`${text}\n`);

const commands = {
  async fetch() {
    const { libDir, version, fetched } = await fetchJars();
    print(
      fetched
        ? `Kafka ${version} jars fetched into ${libDir}`
        : `Kafka ${version} jars up to date in ${libDir}`,
    );
    return EXIT.OK;
  },

  // The broker's own producer benchmark, on the same jars and Java as the broker: the raw rate our pipeline is
  // measured against (apps/bench). Its report goes to stdout as Kafka prints it.
  async 'perf-test'(s, _flags, args) {
    const java = findJava(s.env);
    const { libDir } = await fetchJars();
    const child = spawn(
      java.bin,
      [
        `-Dlog4j2.configurationFile=${LOG4J_TOOLS_CONFIG}`,
        '-cp',
        path.join(libDir, '*'),
        'org.apache.kafka.tools.ProducerPerformance',
        ...args,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const code = await new Promise((resolve) => child.once('exit', (status) => resolve(status ?? 1)));
    return code === 0 ? EXIT.OK : EXIT.FAILED;
  },

  async start(s, flags) {
    const { started, pid } = await start(s, flags);
    const secured = s.security ? securedAddresses(s.security) : {};
    if (flags.json) print(JSON.stringify({ brokers: s.brokers, started, external: false, ...secured }));
    else {
      const extra = Object.entries(secured)
        .filter(([, address]) => address)
        .map(([name, address]) => `, ${name} ${address}`);
      print(
        `Kafka broker ${started ? 'started' : 'already running'} on ${s.brokers}${extra.join('')} (pid ${pid}).`,
      );
    }
    return EXIT.OK;
  },

  async stop(s) {
    const { stopped } = await stop(s);
    if (!stopped) print(`No Kafka broker of ours is running on port ${s.port}.`);
    return EXIT.OK;
  },

  async status(s, flags) {
    const pid = findOurBroker(s);
    const probe = pid ? await probeKafka('localhost', s.port) : null;
    const status = {
      running: Boolean(pid),
      answering: Boolean(probe?.ok),
      brokers: s.brokers,
      pid,
      dataDir: s.dataDir,
      log: s.logFile,
    };
    if (flags.json) {
      print(JSON.stringify(status));
    } else if (pid) {
      print(`Kafka broker: running${probe.ok ? '' : ` but not answering (${probe.detail})`}`);
      print(
        `  brokers:  ${s.brokers}\n  pid:      ${pid}\n  data dir: ${s.dataDir}\n  log:      ${s.logFile}`,
      );
    } else {
      print(`Kafka broker: not running on port ${s.port}\n  data dir: ${s.dataDir}`);
    }
    return pid ? EXIT.OK : EXIT.NOT_RUNNING;
  },

  // Several nodes on one machine: kept in its own module (cluster.mjs), loaded only for this command.
  async cluster(s, flags, args) {
    const { runCluster } = await import('./cluster.mjs');
    return runCluster(args, flags, s.env, print);
  },

  async ensure(s, flags) {
    const external = s.env.KAFKA_BROKERS?.trim();
    if (!external) return commands.start(s, { ...flags, fresh: false });
    const useTls = /^(1|true|yes|on)$/i.test(s.env.KAFKA_SSL ?? '');
    const probes = await Promise.all(
      parseBrokerList(external).map(({ host, port }) => probeKafka(host, port, { useTls, timeoutMs: 3_000 })),
    );
    if (!probes.some((p) => p.ok)) {
      throw new CliError(
        EXIT.UNREACHABLE,
        `KAFKA_BROKERS=${external} does not answer the Kafka protocol (${probes.map((p) => p.detail).join('; ')}). Start that cluster, correct KAFKA_BROKERS, or unset it to let this script run a local broker.`,
      );
    }
    if (flags.json) print(JSON.stringify({ brokers: external, started: false, external: true }));
    else print(`Using KAFKA_BROKERS=${external} (answering); no local broker started.`);
    return EXIT.OK;
  },
};

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        'controller-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'timeout-ms': { type: 'string' },
        fresh: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'ssl-port': { type: 'string' },
        'sasl-ssl-port': { type: 'string' },
        'ssl-keystore': { type: 'string' },
        'scram-users': { type: 'string' },
        nodes: { type: 'string' },
        'base-port': { type: 'string' },
        node: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new CliError(EXIT.USAGE, `${error.message}\n\n${USAGE}`);
  }
  const [name, ...rest] = parsed.positionals;
  if (parsed.values.help || name === 'help') {
    print(USAGE);
    return EXIT.OK;
  }
  // perf-test hands everything after `--` to Kafka's tool, cluster takes its sub-command; the others take none.
  if (
    !name ||
    !Object.hasOwn(commands, name) ||
    (rest.length > 0 && name !== 'perf-test' && name !== 'cluster')
  ) {
    throw new CliError(
      EXIT.USAGE,
      `${name ? `Unknown command: ${[name, ...rest].join(' ')}` : 'No command given.'}\n\n${USAGE}`,
    );
  }
  const settings = readSettings(parsed.values, process.env);
  return commands[name](settings, parsed.values, rest);
}

// Run as a program only: cluster.mjs imports the helpers above from this file.
const isEntryPoint =
  Boolean(process.argv[1]) &&
  fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
if (isEntryPoint) runMain();

function runMain() {
  main(process.argv.slice(2)).then(
    (code) => finish(code),
    (error) => {
      if (error instanceof CliError) {
        log(`kafka-broker: ${error.message}`);
        finish(error.exitCode);
      } else {
        log(`kafka-broker: unexpected error: ${error?.stack ?? error}`);
        finish(EXIT.FAILED);
      }
    },
  );
}

function finish(code) {
  process.exitCode = code;
  // Everything is closed by now; this only guards against a stray handle keeping a caller (jest) waiting.
  setTimeout(() => process.exit(code), 2_000).unref();
}
