import type { Admin, ITopicConfig } from 'kafkajs';
import { KafkaUnavailableError } from '../errors/kafka-unavailable-error';
import { toKafkaError } from '../errors/to-kafka-error';
import type { StartupRetry } from '../startup/startup-retry';
import { LazyAdminConnection } from './lazy-admin-connection';

/** A topic the services need. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Default: the broker's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /** Topic-level configs, e.g. `{ 'retention.ms': '604800000' }`. */
  readonly config?: Readonly<Record<string, string>>;
}

/** What {@link TopicAdmin.ensureTopics} did. */
export interface EnsureTopicsResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/** What {@link TopicAdmin.ping} learnt; nothing secret. */
export interface ClusterInfo {
  readonly clusterId: string;
  readonly brokers: number;
  readonly controller: number | null;
}

/** The part of a kafkajs admin client this wrapper uses. */
export type AdminPort = Pick<
  Admin,
  'connect' | 'disconnect' | 'listTopics' | 'createTopics' | 'deleteTopics' | 'describeCluster'
>;

/**
 * Creates topics and checks the cluster. Connects lazily on first use and stays connected (kafkajs reconnects
 * after broker restarts), so health checks don't pay a new connection each time. Get one from
 * `KafkaClient.createAdmin()` or inject it from `KafkaModule`.
 */
export class TopicAdmin {
  private readonly connection: LazyAdminConnection;

  /** @internal Use `KafkaClient.createAdmin()`. */
  constructor(
    private readonly admin: AdminPort,
    private readonly timeoutMs: number,
    private readonly startup: Pick<StartupRetry, 'run'>,
  ) {
    this.connection = new LazyAdminConnection(admin);
  }

  /**
   * Creates the topics that don't exist yet and waits until they have leaders. Idempotent and safe to run from
   * several services at once: a topic someone else created meanwhile counts as existing. Existing topics are
   * left as they are (their partition count is not changed).
   */
  async ensureTopics(specs: readonly TopicSpec[]): Promise<EnsureTopicsResult> {
    const names = specs.map((spec) => spec.name);
    try {
      await this.connect();
      const before = new Set(await this.admin.listTopics());
      const missing = specs.filter((spec) => !before.has(spec.name));
      if (missing.length > 0) {
        try {
          await this.admin.createTopics({
            topics: missing.map(toTopicConfig),
            waitForLeaders: true,
            timeout: this.timeoutMs,
          });
        } catch (error) {
          // Another service may have created some of them between our list and create; fine if all exist now.
          const after = new Set(await this.admin.listTopics());
          if (!names.every((name) => after.has(name))) throw error;
        }
      }
      return {
        created: missing.map((spec) => spec.name),
        existing: names.filter((name) => before.has(name)),
      };
    } catch (error) {
      throw toKafkaError(error, `creating topics ${names.join(', ')}`);
    }
  }

  /**
   * {@link ensureTopics} for a service's start-up: while the cluster is not ready (a broker still starting, topics
   * just created by another service not hosted yet) it tries again with back-off, within KAFKA_STARTUP_RETRY_MS
   * (`StartupRetry`). Errors that are not retriable fail at once.
   */
  ensureTopicsAtStartup(specs: readonly TopicSpec[]): Promise<EnsureTopicsResult> {
    const names = specs.map((spec) => spec.name).join(', ');
    return this.startup.run(`creating topics ${names}`, () => this.ensureTopics(specs));
  }

  /**
   * Deletes every topic whose name starts with `prefix`, which must end with a dot (a namespace: `bench_x1y2.`), and
   * returns their names. For throw-away namespaces of tests and benchmarks on a shared broker, never production's.
   */
  async deleteTopicsStartingWith(prefix: string): Promise<string[]> {
    if (prefix.length < 2 || !prefix.endsWith('.')) {
      throw new RangeError(
        `a topic prefix to delete must be a namespace ending with a dot, got ${JSON.stringify(prefix)}`,
      );
    }
    try {
      await this.connect();
      const names = (await this.admin.listTopics()).filter((name) => name.startsWith(prefix)).sort();
      if (names.length > 0) await this.admin.deleteTopics({ topics: names, timeout: this.timeoutMs });
      return names;
    } catch (error) {
      throw toKafkaError(error, `deleting the topics ${prefix}*`);
    }
  }

  /**
   * Asks the cluster to describe itself, within `timeoutMs`. For health checks: resolves with the broker count,
   * rejects with `KAFKA_UNAVAILABLE` when there is no answer in time.
   */
  async ping(timeoutMs: number = this.timeoutMs): Promise<ClusterInfo> {
    const describe = async (): Promise<ClusterInfo> => {
      await this.connect();
      const cluster = await this.admin.describeCluster();
      return {
        clusterId: cluster.clusterId,
        brokers: cluster.brokers.length,
        controller: cluster.controller,
      };
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KafkaUnavailableError('checking the cluster', `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      // A late failure of `describe` after the timeout won is still handled: race subscribed to it.
      return await Promise.race([describe(), timeout]);
    } catch (error) {
      throw toKafkaError(error, 'checking the cluster');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects; the next call connects again. */
  async disconnect(): Promise<void> {
    await this.connection.close();
  }

  private connect(): Promise<void> {
    return this.connection.open();
  }
}

function toTopicConfig(spec: TopicSpec): ITopicConfig {
  return {
    topic: spec.name,
    numPartitions: spec.partitions,
    ...(spec.replicationFactor !== undefined && { replicationFactor: spec.replicationFactor }),
    ...(spec.config && {
      configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
    }),
  };
}
