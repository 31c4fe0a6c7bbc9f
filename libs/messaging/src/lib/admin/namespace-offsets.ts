import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { toKafkaError } from '../errors/to-kafka-error';
import { LazyAdminConnection } from './lazy-admin-connection';

/**
 * Offsets of every topic and consumer group of one namespace at one moment. Offsets are 64-bit and travel as decimal
 * strings; partitions are keys of plain objects so a snapshot is JSON as it is.
 */
export interface OffsetsSnapshot {
  /** The namespace prefix the snapshot covers, with its dot: `bench_x1y2.`. */
  readonly prefix: string;
  /** topic → partition → end offset (the high watermark: the next offset to be written). */
  readonly topics: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * group → topic → partition → committed offset (the next offset the group will read), for every topic the group
   * has committed on; a negative offset where it never committed.
   */
  readonly groups: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
}

/** How a topic stamps its records: the producer's time (`CreateTime`) or the broker's on append (`LogAppendTime`). */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** Tries of a snapshot whose reads fail with a retriable error, waiting 250 ms, 500 ms, … in between. */
const SNAPSHOT_ATTEMPTS = 5;
const SNAPSHOT_RETRY_MS = 250;

/** The part of a kafkajs admin client this reader uses. */
export type OffsetsAdminPort = Pick<
  Admin,
  | 'connect'
  | 'disconnect'
  | 'listTopics'
  | 'fetchTopicOffsets'
  | 'listGroups'
  | 'fetchOffsets'
  | 'describeConfigs'
>;

/**
 * Reads the offsets of a whole namespace: the end offset of each of its topics and the committed offsets of each of
 * its consumer groups (those named `<namespace>.…`, as every service's group is), so a benchmark can count the records
 * a system produced and consumed between two snapshots. Connects lazily and stays connected. Get one from
 * `KafkaClient.createNamespaceOffsets()`; {@link disconnect} it when done.
 */
export class NamespaceOffsets {
  private readonly connection: LazyAdminConnection;

  /** @internal Use `KafkaClient.createNamespaceOffsets()`. */
  constructor(
    private readonly admin: OffsetsAdminPort,
    readonly prefix: string,
  ) {
    this.connection = new LazyAdminConnection(admin);
    if (prefix.length < 2 || !prefix.endsWith('.')) {
      throw new RangeError(`a namespace prefix must end with a dot, got ${JSON.stringify(prefix)}`);
    }
  }

  /**
   * Every topic and group of the namespace now. Topic end offsets are read before the groups' commits, so a commit is
   * never ahead of the end offset read beside it.
   */
  async snapshot(): Promise<OffsetsSnapshot> {
    const what = `reading the offsets of the topics and groups ${this.prefix}*`;
    // Right after topics are created the broker asked may not know their leaders yet (NOT_LEADER_FOR_PARTITION), and
    // kafkajs' admin does not retry `fetchTopicOffsets` on that: a few short tries for retriable errors, then the error.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.read();
      } catch (error) {
        const failure = toKafkaError(error, what);
        if (!failure.retriable || attempt >= SNAPSHOT_ATTEMPTS) throw failure;
        await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_RETRY_MS * attempt));
      }
    }
  }

  private async read(): Promise<OffsetsSnapshot> {
    await this.connect();
    const names = (await this.admin.listTopics()).filter((name) => name.startsWith(this.prefix)).sort();
    const ends = await Promise.all(names.map((topic) => this.admin.fetchTopicOffsets(topic)));
    const topics: Record<string, Record<string, string>> = {};
    names.forEach((topic, i) => {
      topics[topic] = Object.fromEntries((ends[i] ?? []).map((p) => [String(p.partition), p.high]));
    });
    const groupIds = (await this.admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((id) => id.startsWith(this.prefix))
      .sort();
    // No `topics`: the coordinator answers for every topic the group has committed on.
    const commits = await Promise.all(groupIds.map((groupId) => this.admin.fetchOffsets({ groupId })));
    const groups: Record<string, Record<string, Record<string, string>>> = {};
    groupIds.forEach((groupId, i) => {
      const byTopic: Record<string, Record<string, string>> = {};
      for (const { topic, partitions } of commits[i] ?? []) {
        byTopic[topic] = Object.fromEntries(partitions.map((p) => [String(p.partition), p.offset]));
      }
      groups[groupId] = byTopic;
    });
    return { prefix: this.prefix, topics, groups };
  }

  /** The topic's `message.timestamp.type`: whose clock its record timestamps are. */
  async timestampType(topic: string): Promise<TimestampType> {
    try {
      await this.connect();
      const described = await this.admin.describeConfigs({
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['message.timestamp.type'] },
        ],
        includeSynonyms: false,
      });
      const value = described.resources[0]?.configEntries.find(
        (entry) => entry.configName === 'message.timestamp.type',
      )?.configValue;
      if (value !== 'CreateTime' && value !== 'LogAppendTime') {
        throw new Error(`unexpected message.timestamp.type ${JSON.stringify(value)}`);
      }
      return value;
    } catch (error) {
      throw toKafkaError(error, `reading the timestamp type of ${topic}`);
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
