import type { ConsumerTuning } from '../client/kafka-client-factory';
import { BatchConsumerUsageError } from './batch-consumer-usage-error';
import type { ConsumedMessage } from './consumed-message';

/** What a {@link BatchHandler} gets besides the messages. */
export interface BatchContext {
  readonly topic: string;
  readonly partition: number;
  /**
   * Tells the group coordinator this member is alive; call it during work that may outlast the session timeout.
   * (With KAFKA_CLIENT=platformatic the client heartbeats on its own timer, whatever the handler does, and this
   * resolves at once.)
   */
  heartbeat(): Promise<void>;
  /**
   * Commits the partition's offset past `offset` (a record of the chunk) now, and resolves once the group has it;
   * rejects when the commit fails. For a handler that must know a record will not come back before it acts on it
   * (the segment SDK commits past a record before its handler starts). Resolving the chunk commits as usual.
   */
  commit(offset: string): Promise<void>;
}

/**
 * Handles messages of one topic-partition, in offset order. Resolve only once their effect is durable (e.g. the
 * database transaction committed): resolving is what commits the offsets. Throwing commits nothing and the same
 * messages are delivered again.
 */
export type BatchHandler = (messages: readonly ConsumedMessage[], context: BatchContext) => Promise<void>;

/** A consumer group subscription and its handler. */
export interface BatchConsumerOptions extends ConsumerTuning {
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  /**
   * Where a group without committed offsets starts. Default `true`: our topics hold work to do, and a new group
   * must not skip what was written before it first joined.
   */
  readonly fromBeginning?: boolean;
  /** Hands the handler at most this many messages at a time, each chunk committed on its own. Default: all fetched. */
  readonly maxBatchSize?: number;
  /** How many partitions are handled at the same time. Default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** How long after the client gave up on the consumer it is started again. Default 5 s. */
  readonly recoveryDelayMs?: number;
}

export const DEFAULT_RECOVERY_DELAY_MS = 5_000;

/** Partitions of one topic the group assigned to this member. */
export interface AssignedPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/**
 * Consumes topics in a consumer group and hands batches to a handler, committing offsets only after the handler
 * resolved for those messages (auto-commit is off). So an offset is never committed before its effect is
 * durable, and a crash, a throw or a rebalance leads to redelivery, never to loss (at-least-once).
 *
 * Messages come in chunks of at most `maxBatchSize` of one topic-partition, in offset order; at most
 * `partitionsConsumedConcurrently` partitions are handled at the same time, and one chunk of a partition at a time.
 * The commit of a chunk is sent as soon as its handler resolves, but not waited for: the partition's next chunk is
 * handled meanwhile, and its own commit waits for the one before (one in flight per partition, in order). A commit
 * that fails leaves its records to the next commit of the partition, or to redelivery; when the consumer is
 * stopping, the last commits are awaited, so a clean shutdown commits everything it handled.
 *
 * A failing handler is retried with backoff (KAFKA_RETRY_*), and the consumer resumes from the last committed offset
 * when the client gives up. A consumer the client will not restart on its own (after an error it deems
 * non-retriable: an authorisation or protocol error, say) is started again after `recoveryDelayMs`, as often as
 * needed, logging each time, so the service recovers as soon as the cause is fixed.
 *
 * Two implementations, chosen by KAFKA_CLIENT: kafkajs (`KafkajsBatchConsumer`) and @platformatic/kafka
 * (`PlatformaticBatchConsumer`). Get one from `KafkaClient.createConsumer()`.
 */
export interface BatchConsumer {
  readonly groupId: string;

  /**
   * Connects, subscribes, joins the group and starts consuming; call once, at start-up. While the cluster is not
   * ready (unreachable, topics not hosted yet) the start is tried again within KAFKA_STARTUP_RETRY_MS
   * (`StartupRetry`).
   */
  start(): Promise<void>;

  /** True while the consumer is a member of its group and consuming: the readiness signal. */
  isRunning(): boolean;

  /**
   * The partitions the group assigned to this member, per topic; empty before the first join and from a rebalance,
   * crash or stop until the next join. Each partition is assigned to one member of the group.
   */
  assignment(): readonly AssignedPartitions[];

  /**
   * True while this member leads its group: one member of the group at a time, so a replica can use it to take on a
   * task for all of them (e.g. reporting a figure of a shared table). False from a rebalance, crash or stop until the
   * next join says otherwise.
   */
  isGroupLeader(): boolean;

  /** Stops fetching from the given topics (default: all subscribed) until {@link resume}. */
  pause(topics?: readonly string[]): void;

  /** Resumes topics paused with {@link pause}. */
  resume(topics?: readonly string[]): void;

  /**
   * Waits for the batch in progress, leaves the group and disconnects. What was handled is committed already;
   * what was not is delivered to the next member. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/** Refuses options no implementation can honour; both constructors call it. */
export function checkBatchConsumerOptions(options: BatchConsumerOptions): void {
  if (options.topics.length === 0) throw new BatchConsumerUsageError('at least one topic is needed');
  if (options.maxBatchSize !== undefined && !(options.maxBatchSize >= 1)) {
    throw new BatchConsumerUsageError('maxBatchSize must be at least 1');
  }
  if (
    options.partitionsConsumedConcurrently !== undefined &&
    !(options.partitionsConsumedConcurrently >= 1)
  ) {
    throw new BatchConsumerUsageError('partitionsConsumedConcurrently must be at least 1');
  }
}
