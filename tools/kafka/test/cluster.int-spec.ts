import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePortRange } from '@smartlink/testing';

// `kafka-broker.mjs cluster` driven as a user would, as a separate process, on a block of ports and a data dir of
// its own (the shared test broker is never touched). Cluster starts are the expensive part (three JVMs, ~30 s on
// two cores), so the whole file starts one cluster and restarts one node of it.

const SCRIPT = path.resolve(__dirname, '..', 'kafka-broker.mjs');
const START_TIMEOUT_MS = 240_000;

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[]): Promise<RunResult> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('KAFKA_') || key === 'KAFKA_CLUSTER_HEAP_OPTS',
    ),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function json<T>(result: RunResult): T {
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
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

interface NodeStatus {
  id: number;
  running: boolean;
  answering: boolean;
  pid: number | null;
}
interface Status {
  brokers: string;
  clusterId: string | null;
  nodes: NodeStatus[];
}
interface Quorum {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
  voters: number[];
}

describe('kafka-broker.mjs cluster', () => {
  let workDir: string;
  let base: number;
  let args: string[];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'kafka-cluster-int-'));
    base = await freePortRange(6);
    args = ['--base-port', String(base), '--data-dir', path.join(workDir, 'cluster')];
  });

  afterAll(async () => {
    await run(['cluster', 'stop', ...args]); // safety net: never leave a node behind
    rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  it(
    'starts three nodes, each answering the Kafka protocol on its own port',
    async () => {
      const result = await run(['cluster', 'start', '--json', ...args]);

      expect(result).toEqual(expect.objectContaining({ code: 0 }));
      expect(json(result)).toMatchObject({
        brokers: `localhost:${base},localhost:${base + 2},localhost:${base + 4}`,
        started: [1, 2, 3],
        reused: [],
      });
      const status = json<Status>(await run(['cluster', 'status', '--json', ...args]));
      expect(status.nodes.map((n) => [n.id, n.running, n.answering])).toEqual([
        [1, true, true],
        [2, true, true],
        [3, true, true],
      ]);
      expect(new Set(status.nodes.map((n) => n.pid)).size).toBe(3);
    },
    START_TIMEOUT_MS,
  );

  it('writes each node a replicated configuration: three voters, replication factor 3, min ISR 2', () => {
    for (const id of [1, 2, 3]) {
      const config = readFileSync(path.join(workDir, 'cluster', `node-${id}.properties`), 'utf8');
      const port = base + 2 * (id - 1);
      expect(config).toContain(`node.id=${id}`);
      expect(config).toContain(
        `controller.quorum.voters=1@localhost:${base + 1},2@localhost:${base + 3},3@localhost:${base + 5}`,
      );
      expect(config).toContain(`listeners=PLAINTEXT://localhost:${port},CONTROLLER://localhost:${port + 1}`);
      for (const line of [
        'process.roles=broker,controller',
        'default.replication.factor=3',
        'min.insync.replicas=2',
        'offsets.topic.replication.factor=3',
        'transaction.state.log.replication.factor=3',
        'transaction.state.log.min.isr=2',
        'unclean.leader.election.enable=false',
      ]) {
        expect(config).toContain(line);
      }
      // Each node its own data dir, formatted with the one cluster id.
      const meta = readFileSync(path.join(workDir, 'cluster', `node-${id}`, 'meta.properties'), 'utf8');
      const state = JSON.parse(readFileSync(path.join(workDir, 'cluster', 'cluster.json'), 'utf8')) as {
        clusterId: string;
      };
      expect(meta).toContain(`cluster.id=${state.clusterId}`);
      expect(meta).toContain(`node.id=${id}`);
    }
  });

  it('reports the quorum: one active controller among the three voters', async () => {
    const quorum = json<Quorum>(await run(['cluster', 'quorum', '--json', ...args]));

    expect(quorum.voters.sort()).toEqual([1, 2, 3]);
    expect([1, 2, 3]).toContain(quorum.leaderId);
  }, 60_000);

  it(
    'SIGKILLs the active controller alone; another node takes over, and the killed one restarts on its data',
    async () => {
      const before = json<Quorum>(await run(['cluster', 'quorum', '--json', ...args]));
      const victim = String(before.leaderId);

      const killed = await run(['cluster', 'kill', '--node', victim, '--json', ...args]);

      expect(json(killed)).toMatchObject({ killed: [before.leaderId] });
      const status = await run(['cluster', 'status', '--json', ...args]);
      expect(status.code).toBe(3); // not every node runs
      expect(
        json<Status>(status)
          .nodes.filter((n) => !n.running)
          .map((n) => n.id),
      ).toEqual([before.leaderId]);
      const after = json<Quorum>(await run(['cluster', 'quorum', '--json', ...args]));
      expect(after.leaderId).not.toBe(before.leaderId);
      expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);

      const restarted = await run(['cluster', 'start', '--node', victim, '--json', ...args]);

      expect(json(restarted)).toMatchObject({ started: [before.leaderId], clusterId: before.clusterId });
      expect(restarted.stderr).not.toContain('Formatting');
      expect((await run(['cluster', 'status', ...args])).code).toBe(0);
    },
    START_TIMEOUT_MS,
  );

  it('refuses another layout on the same data dir, and a node that does not exist', async () => {
    const twoNodes = await run(['cluster', 'start', '--nodes', '2', ...args]);
    const noSuchNode = await run(['cluster', 'kill', '--node', '4', ...args]);
    const unknown = await run(['cluster', 'frobnicate', ...args]);

    expect(twoNodes.code).toBe(2);
    expect(twoNodes.stderr).toContain('holds a cluster of 3 nodes');
    expect(noSuchNode.code).toBe(2);
    expect(noSuchNode.stderr).toContain('--node must be a whole number from 1 to 3');
    expect(unknown.code).toBe(2);
  });

  it('stops every node: the processes are gone, the ports closed, the pid files removed', async () => {
    const pids = json<Status>(await run(['cluster', 'status', '--json', ...args])).nodes.map((n) => n.pid);

    const result = await run(['cluster', 'stop', '--json', ...args]);

    expect(json(result)).toMatchObject({ stopped: [1, 2, 3] });
    for (const pid of pids)
      expect(
        existsSync(`/proc/${pid}/cmdline`) &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka'),
      ).toBe(false);
    for (const port of [base, base + 2, base + 4]) expect(await isPortOpen(port)).toBe(false);
    for (const id of [1, 2, 3])
      expect(existsSync(path.join(workDir, 'cluster', `node-${id}.pid`))).toBe(false);
    expect((await run(['cluster', 'status', ...args])).code).toBe(3);
  }, 120_000);
});
