// The benchmark's raw-client measurements talk to the Kafka client libraries directly, without libs/messaging: they
// measure the libraries themselves, side by side, to choose the one libs/messaging wraps (issue 14). The services know
// only libs/messaging; in the bench, apps/bench/eslint.config.mjs lets this folder alone import a Kafka client.

/**
 * The client libraries compared, by the directory each is installed under in node_modules, in the order they are
 * measured: kafkajs (what libs/messaging wraps), @platformatic/kafka 2.x (the current major, which the workspace's
 * segment written without the SDK uses) and 1.x (`platformatic-kafka-v1`, an npm alias of @platformatic/kafka 1.x,
 * the major issue 14's figures were taken with).
 */
export const RAW_CLIENT_PACKAGES = ['kafkajs', '@platformatic/kafka', 'platformatic-kafka-v1'] as const;
export type RawClientPackage = (typeof RAW_CLIENT_PACKAGES)[number];

/** A record as the measurements hand it to a client: key and value already bytes, the partition already chosen. */
export interface RawRecord {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly partition: number;
}

/** A producer of one client: idempotent, acks=all. */
export interface RawProducer {
  /**
   * Turns records into the client's own message objects, before any clock starts, and returns the call that sends
   * them as one `send`; it resolves once the broker has acknowledged them.
   */
  prepare(topic: string, records: readonly RawRecord[]): () => Promise<void>;
  close(): Promise<void>;
}

/** What a consumer calls back with. */
export interface RawConsumeHandlers {
  /** The consumer has joined its group and has its partitions (every join, the first one included). */
  onJoined(): void;
  /** One record, in offset order within its partition. */
  onRecord(partition: number, key: Buffer | null | undefined, value: Buffer | null | undefined): void;
}

/** A running consumer. */
export interface RawConsumer {
  /** Rejects when the client reports that consuming failed; never resolves. */
  readonly failed: Promise<never>;
  /** Leaves the group and closes the connections. */
  stop(): Promise<void>;
}

/** One Kafka client library, as the measurements use it. */
export interface RawKafkaClient {
  /** The package's own name and version, as its package.json gives them. */
  readonly name: string;
  readonly version: string;
  /** How records reach the handler, for the report. */
  readonly consumeMode: string;
  /**
   * An idempotent producer with acks=all, asking the client for `inFlight` requests in flight per connection
   * (the client may lower it for the idempotent producer; the report says where it does).
   */
  producer(inFlight: number): RawProducer;
  /**
   * Joins `groupId` (the classic group protocol, the only one kafkajs speaks) and reads `topic` from its earliest
   * offset, committing nothing, until stopped. Resolves once consuming has started.
   */
  consume(topic: string, groupId: string, handlers: RawConsumeHandlers): Promise<RawConsumer>;
}

/** Requests a producer or consumer retries before it gives up, so a failing run ends instead of retrying forever. */
export const RAW_CLIENT_RETRIES = 5;
/** How long the broker may hold a fetch when there is no data: libs/messaging's setting. */
export const RAW_MAX_WAIT_MS = 1_000;
/** Bytes per fetch, and per partition of a fetch: kafkajs' defaults, given to both clients so they fetch alike. */
export const RAW_FETCH_MAX_BYTES = 10 * 1024 * 1024;
export const RAW_FETCH_MAX_BYTES_PER_PARTITION = 1024 * 1024;

/** A promise that a consumer rejects through `fail`; handled, so an unused one never counts as unhandled. */
export function failure(): { readonly failed: Promise<never>; readonly fail: (error: unknown) => void } {
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  return { failed, fail };
}
