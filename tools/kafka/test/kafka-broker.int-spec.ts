import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@smartlink/testing';

// Each test drives kafka-broker.mjs as a user would: as a separate process, on ports and a data dir of its own,
// so the shared test broker on 19092 is never touched. Broker starts are the expensive part (~5 s each on two
// cores), so the whole file starts exactly one.

const SCRIPT = path.resolve(__dirname, '..', 'kafka-broker.mjs');
const START_TIMEOUT_MS = 180_000; // may include the first Maven download of the jars

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the script with a clean Kafka environment: nothing from the developer's shell or CI leaks in. */
function run(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('KAFKA_') && key !== 'JAVA_HOME'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      env: { ...base, ...(process.env['JAVA_HOME'] ? { JAVA_HOME: process.env['JAVA_HOME'] } : {}), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastJsonLine(result: RunResult): Record<string, unknown> {
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(
      `expected a JSON line on stdout, got ${JSON.stringify(result.stdout)}; stderr: ${result.stderr}`,
    );
  }
}

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: 'localhost', port, autoSelectFamily: true });
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * An ApiVersions v0 exchange written independently of the script's own probe: resolves the broker's error code
 * and the API keys it offers, which only a real Kafka broker produces.
 */
function apiVersions(port: number): Promise<{ errorCode: number; apiKeys: number[] }> {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('kafka-broker-int-spec');
    const request = Buffer.alloc(4 + 10 + clientId.length);
    request.writeInt32BE(10 + clientId.length, 0);
    request.writeInt16BE(18, 4); // ApiVersions
    request.writeInt16BE(0, 6); // v0
    request.writeInt32BE(4242, 8); // correlation id
    request.writeInt16BE(clientId.length, 12);
    clientId.copy(request, 14);
    const socket = net.connect({ host: 'localhost', port, autoSelectFamily: true });
    let response = Buffer.alloc(0);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no ApiVersions response within 5 s')));
    socket.once('connect', () => socket.write(request));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      response = Buffer.concat([response, chunk]);
      if (response.length < 4 || response.length < 4 + response.readInt32BE(0)) return;
      socket.destroy();
      if (response.readInt32BE(4) !== 4242) return reject(new Error('correlation id mismatch'));
      const errorCode = response.readInt16BE(8);
      const count = response.readInt32BE(10);
      const apiKeys = Array.from({ length: Math.max(count, 0) }, (_, i) => response.readInt16BE(14 + i * 6));
      resolve({ errorCode, apiKeys });
    });
  });
}

/** Gone for good: no /proc entry, a zombie awaiting its reaper, or the pid now runs something else. */
function processIsGone(pid: number, configFile: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return true;
    return !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(configFile);
  } catch {
    return true;
  }
}

describe('kafka-broker.mjs', () => {
  let workDir: string;
  let port: number;
  let brokerArgs: string[];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'kafka-broker-int-'));
    port = await freePort();
    const controllerPort = await freePort([port]);
    brokerArgs = [
      '--port',
      String(port),
      '--controller-port',
      String(controllerPort),
      '--data-dir',
      path.join(workDir, 'data'),
    ];
  });

  afterAll(async () => {
    // Safety net for a failed test in the middle: never leave a broker behind.
    await run(['stop', ...brokerArgs]);
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  describe('a broker on its own port', () => {
    let pid: number;

    it(
      'starts once when two starts race, and both report the same broker',
      async () => {
        const results = await Promise.all([
          run(['start', '--json', ...brokerArgs]),
          run(['start', '--json', ...brokerArgs]),
        ]);

        // The whole result in the assertion, so a failure shows the script's stderr.
        for (const result of results) expect(result).toEqual(expect.objectContaining({ code: 0 }));
        const reports = results.map(lastJsonLine);
        expect(reports.map((r) => r['brokers'])).toEqual([`localhost:${port}`, `localhost:${port}`]);
        expect(reports.map((r) => r['started']).sort()).toEqual([false, true]);
        expect(results.some((r) => r.stderr.includes('reusing it'))).toBe(true);
      },
      START_TIMEOUT_MS,
    );

    it('reports it running, and it answers the Kafka protocol', async () => {
      const result = await run(['status', '--json', ...brokerArgs]);

      expect(result.code).toBe(0);
      const status = lastJsonLine(result);
      expect(status).toMatchObject({ running: true, answering: true, brokers: `localhost:${port}` });
      pid = status['pid'] as number;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('kafka.Kafka');
      const answer = await apiVersions(port);
      expect(answer.errorCode).toBe(0);
      expect(answer.apiKeys).toEqual(expect.arrayContaining([0, 1, 3])); // Produce, Fetch, Metadata
    });

    it('reuses the running broker on a second start', async () => {
      const result = await run(['start', '--json', ...brokerArgs]);

      expect(result.code).toBe(0);
      expect(lastJsonLine(result)).toEqual({ brokers: `localhost:${port}`, started: false, external: false });
      expect(result.stderr).toContain(`(pid ${pid}); reusing it`);
    });

    it('ensure with KAFKA_BROKERS set checks that cluster and starts nothing', async () => {
      const unusedDataDir = path.join(workDir, 'unused', 'data');
      const otherArgs = ['--port', String(await freePort()), '--data-dir', unusedDataDir];

      const result = await run(['ensure', '--json', ...otherArgs], { KAFKA_BROKERS: `localhost:${port}` });

      expect(result.code).toBe(0);
      expect(lastJsonLine(result)).toEqual({ brokers: `localhost:${port}`, started: false, external: true });
      expect(existsSync(path.dirname(unusedDataDir))).toBe(false);
      expect((await run(['status', ...otherArgs])).code).toBe(3);
    });

    it('ensure fails with exit 8 when KAFKA_BROKERS does not answer', async () => {
      const closedPort = await freePort();

      const result = await run(['ensure', '--json'], { KAFKA_BROKERS: `localhost:${closedPort}` });

      expect(result.code).toBe(8);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`KAFKA_BROKERS=localhost:${closedPort} does not answer`);
    });

    it('stops it: the process is gone, the port closed and the pid file removed', async () => {
      const configFile = path.join(workDir, `server-${port}.properties`);

      const result = await run(['stop', ...brokerArgs]);

      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`(pid ${pid})`);
      expect(processIsGone(pid, configFile)).toBe(true);
      expect(await isPortOpen(port)).toBe(false);
      expect(existsSync(path.join(workDir, `broker-${port}.pid`))).toBe(false);
    }, 60_000);

    it('status exits 3 once it is stopped, and a second stop is fine', async () => {
      const status = await run(['status', ...brokerArgs]);
      const stop = await run(['stop', ...brokerArgs]);

      expect(status.code).toBe(3);
      expect(status.stdout).toContain('not running');
      expect(stop.code).toBe(0);
    });
  });

  describe('perf-test', () => {
    it("runs Kafka's producer benchmark with the fetched jars, handing it the arguments after --", async () => {
      const result = await run(['perf-test', '--', '--help']);

      expect(result.stdout).toContain('usage: producer-performance');
      expect(result.stdout).toContain('--num-records');
    });

    it('is the only command that takes arguments', async () => {
      const result = await run(['status', 'extra']);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Unknown command: status extra');
    });
  });

  describe('when it cannot start a broker', () => {
    async function startOnFreshPort(env: Record<string, string>): Promise<RunResult> {
      const args = ['--port', String(await freePort()), '--data-dir', path.join(workDir, 'never', 'data')];
      return run(['start', ...args], env);
    }

    it('says how to fix a JAVA_HOME that points nowhere', async () => {
      const result = await startOnFreshPort({ JAVA_HOME: path.join(workDir, 'no-such-jdk') });

      expect(result.code).toBe(5);
      expect(result.stderr).toContain(`JAVA_HOME is set to ${path.join(workDir, 'no-such-jdk')}`);
      expect(result.stderr).toContain('Java 17 or newer');
    });

    it('refuses a Java older than 17', async () => {
      const fakeJdk = path.join(workDir, 'old-jdk');
      mkdirSync(path.join(fakeJdk, 'bin'), { recursive: true });
      const java = path.join(fakeJdk, 'bin', 'java');
      writeFileSync(java, '#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n');
      chmodSync(java, 0o755);

      const result = await startOnFreshPort({ JAVA_HOME: fakeJdk });

      expect(result.code).toBe(5);
      expect(result.stderr).toContain('is Java 11');
      expect(result.stderr).toContain('Java 17 or newer');
    });

    it('refuses a port another program holds, naming KAFKA_PORT and KAFKA_BROKERS', async () => {
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
      const taken = (squatter.address() as net.AddressInfo).port;
      try {
        const result = await run([
          'start',
          '--port',
          String(taken),
          '--data-dir',
          path.join(workDir, 'taken', 'data'),
        ]);

        expect(result.code).toBe(4);
        expect(result.stderr).toContain(`Port ${taken} is in use`);
        expect(result.stderr).toMatch(/KAFKA_PORT.*KAFKA_BROKERS/);
      } finally {
        await new Promise((resolve) => squatter.close(resolve));
      }
    });
  });
});
