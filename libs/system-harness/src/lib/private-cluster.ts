import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import {
  KafkaClient,
  parseKafkaSettings,
  type PartitionReplicas,
  type PartitionReplicaState,
} from '@smartlink/messaging';
import { freePortRange, waitFor } from '@smartlink/testing';
import { workspaceRoot } from './workspace-root';

const BROKER_SCRIPT = join(workspaceRoot(), 'tools', 'kafka', 'kafka-broker.mjs');

/** One partition as the cluster reports it: leader, replicas, in-sync replicas, end offset. */
export type PartitionState = PartitionReplicaState;

/** The node leading most of the busiest partitions, and what it was chosen from. */
export interface BusiestLeader {
  readonly nodeId: number;
  /** The busiest topics (by the sum of their end offsets) whose partitions were counted. */
  readonly topics: readonly string[];
  /** Partitions of those topics it leads, and their end offsets summed. */
  readonly partitionsLed: number;
  readonly recordsLed: number;
}

/** The controller quorum (DescribeQuorum), as `kafka-broker.mjs cluster quorum` reports it. */
export interface QuorumState {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly voters: readonly number[];
}

/** How the tool reports one node. */
interface NodeStatus {
  readonly id: number;
  readonly running: boolean;
  readonly answering: boolean;
  readonly pid: number | null;
  readonly log: string;
}

/**
 * A three-node KRaft cluster of a test's own (tools/kafka `cluster`: each node broker and controller, replication
 * factor 3, min.insync.replicas 2) on a block of free ports and a data directory of its own, so the test can SIGKILL
 * or restart any node, the leader of a partition or the active controller, without touching the shared broker.
 */
export class PrivateCluster {
  readonly nodes: readonly ClusterNode[];

  constructor(
    readonly basePort: number,
    readonly dataDir: string,
    readonly nodeCount = 3,
  ) {
    this.nodes = Array.from({ length: nodeCount }, (_, i) => new ClusterNode(this, i + 1, basePort + 2 * i));
  }

  /** A cluster on the first of a run of free ports (two per node). */
  static async allocate(dataDir: string, nodeCount = 3): Promise<PrivateCluster> {
    return new PrivateCluster(await freePortRange(2 * nodeCount), dataDir, nodeCount);
  }

  /** Every node's `localhost:<port>`, comma-separated, as KAFKA_BROKERS takes it. */
  get brokers(): string {
    return this.nodes.map((n) => n.address).join(',');
  }

  /** Node `id` (1-based, as Kafka numbers them). */
  node(id: number): ClusterNode {
    const found = this.nodes.find((n) => n.id === id);
    if (!found) throw new Error(`the cluster has no node ${id}`);
    return found;
  }

  /** Starts every node not running (formatting new data dirs) and resolves once all are registered brokers. */
  async start(): Promise<void> {
    await this.cli(['start']);
    await this.waitUntilRegistered(this.nodes.map((n) => n.id));
  }

  /** Stops every node (SIGTERM, then SIGKILL after 30 s). */
  async stop(): Promise<void> {
    await this.cli(['stop'], true);
  }

  /** Each node as the tool sees it: pid, running, answering, log file. */
  async status(): Promise<NodeStatus[]> {
    const out = await this.cli(['status'], true);
    return (JSON.parse(lastLine(out) || '{"nodes":[]}') as { nodes: NodeStatus[] }).nodes;
  }

  /** The active controller and the voters, from the quorum itself (see tools/kafka/cluster.mjs `quorum`). */
  async quorum(): Promise<QuorumState> {
    return JSON.parse(lastLine(await this.cli(['quorum']))) as QuorumState;
  }

  /** The node id of the active controller (the quorum's leader). */
  async activeController(): Promise<number> {
    return (await this.quorum()).leaderId;
  }

  /** Resolves once each of `ids` is a registered, unfenced broker the cluster metadata lists. */
  async waitUntilRegistered(ids: readonly number[], timeoutMs = 120_000): Promise<void> {
    await waitFor(
      async () => {
        const listed = new Set(await this.withReplicas((r) => r.brokerIds()));
        return ids.every((id) => listed.has(id));
      },
      { description: `node(s) ${ids.join(', ')} registered in the cluster`, timeoutMs, intervalMs: 500 },
    );
  }

  /** Every partition of `topics` (every topic, Kafka's internal ones included, when not given). */
  partitions(topics?: readonly string[]): Promise<PartitionState[]> {
    return this.withReplicas((r) => r.read(topics));
  }

  /** The leader of one partition (-1 while it has none). */
  async leaderOf(topic: string, partition: number): Promise<number> {
    const found = (await this.partitions([topic])).find((p) => p.partition === partition);
    if (!found) throw new Error(`${topic} has no partition ${partition}`);
    return found.leader;
  }

  /** Partitions (every topic, Kafka's internal ones included) whose in-sync replicas are fewer than their replicas. */
  async underReplicated(): Promise<PartitionState[]> {
    const states = await this.partitions();
    return states.filter((p) => p.isr.length < p.replicas.length);
  }

  /**
   * The node leading the most partitions of the `topicCount` busiest of `topics` (by the sum of their end offsets):
   * the broker whose loss hurts the running load most. Ties go to the one leading more records.
   */
  async busiestLeader(topics?: readonly string[], topicCount = 3): Promise<BusiestLeader> {
    const states = (await this.partitions(topics)).filter((p) => !p.topic.startsWith('__'));
    const totals = new Map<string, number>();
    for (const p of states) totals.set(p.topic, (totals.get(p.topic) ?? 0) + p.endOffset);
    const busiest = [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topicCount)
      .map(([topic]) => topic);
    const led = new Map<number, { partitions: number; records: number }>();
    for (const p of states.filter((s) => busiest.includes(s.topic) && s.leader >= 0)) {
      const entry = led.get(p.leader) ?? { partitions: 0, records: 0 };
      led.set(p.leader, { partitions: entry.partitions + 1, records: entry.records + p.endOffset });
    }
    const [best] = [...led].sort((a, b) => b[1].partitions - a[1].partitions || b[1].records - a[1].records);
    if (!best) throw new Error(`no partition of ${busiest.join(', ') || '(no topic)'} has a leader`);
    return {
      nodeId: best[0],
      topics: busiest,
      partitionsLed: best[1].partitions,
      recordsLed: best[1].records,
    };
  }

  /** Runs `kafka-broker.mjs cluster <args>` for this cluster; resolves its stdout. */
  async cli(args: readonly string[], allowFailure = false): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['KAFKA_BROKERS'];
    const all = [BROKER_SCRIPT, 'cluster', ...args, '--json', '--nodes', String(this.nodeCount)];
    all.push('--base-port', String(this.basePort), '--data-dir', this.dataDir);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, all, { env, timeout: 240_000 });
      return stdout;
    } catch (error) {
      const failed = error as Error & { code?: number; stdout?: string; stderr?: string };
      if (allowFailure) return failed.stdout ?? '';
      throw new Error(`kafka-broker.mjs cluster ${args.join(' ')} exited ${failed.code}: ${failed.stderr}`, {
        cause: error,
      });
    }
  }

  /**
   * A fresh admin client per question: with nodes dying under it, a long-lived one keeps asking a dead broker for
   * metadata until its own retries run out, and a question must be answered by whichever nodes are up now.
   */
  private async withReplicas<T>(fn: (replicas: PartitionReplicas) => Promise<T>): Promise<T> {
    const client = new KafkaClient(
      parseKafkaSettings({
        KAFKA_BROKERS: this.brokers,
        KAFKA_LOG_LEVEL: 'nothing',
        KAFKA_CONNECTION_TIMEOUT_MS: '2000',
        KAFKA_RETRIES: '3',
      }),
    );
    const replicas = client.createPartitionReplicas();
    try {
      return await fn(replicas);
    } finally {
      await replicas.disconnect();
    }
  }
}

/** One node of a {@link PrivateCluster}: broker and controller in one JVM. */
export class ClusterNode {
  constructor(
    private readonly cluster: PrivateCluster,
    readonly id: number,
    readonly port: number,
  ) {}

  get address(): string {
    return `localhost:${this.port}`;
  }

  get controllerPort(): number {
    return this.port + 1;
  }

  /** The JVM's pid, or null when it is not running. */
  async pid(): Promise<number | null> {
    return (await this.cluster.status()).find((n) => n.id === this.id)?.pid ?? null;
  }

  /** Its log file (the tool keeps the previous life's as `<log>.1`). */
  get logFile(): string {
    return join(this.cluster.dataDir, `node-${this.id}.log`);
  }

  /**
   * Sends `signal` and resolves once the process is gone: SIGKILL is a machine losing power (no flush, no controlled
   * shutdown); SIGTERM is a clean stop (controlled shutdown hands its leaderships over first).
   */
  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    if (signal === 'SIGKILL') {
      await this.cluster.cli(['kill', '--node', String(this.id)]);
    } else {
      await this.cluster.cli(['stop', '--node', String(this.id)]);
    }
    const pid = await this.pid();
    if (pid !== null) throw new Error(`node ${this.id} still runs as pid ${pid} after ${signal}`);
  }

  /** Starts it again on its data dir; resolves once it is a registered broker again. */
  async start(): Promise<void> {
    await this.cluster.cli(['start', '--node', String(this.id)]);
    await this.cluster.waitUntilRegistered([this.id]);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
