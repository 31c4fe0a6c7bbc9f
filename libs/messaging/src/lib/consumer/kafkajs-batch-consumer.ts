import { Logger } from '@nestjs/common';
import type {
  Consumer,
  ConsumerCrashEvent,
  ConsumerGroupJoinEvent,
  ConsumerRunConfig,
  EachBatchPayload,
} from 'kafkajs';
import { toKafkaError } from '../errors/to-kafka-error';
import type { StartupRetry } from '../startup/startup-retry';
import {
  checkBatchConsumerOptions,
  DEFAULT_RECOVERY_DELAY_MS,
  type AssignedPartitions,
  type BatchConsumer,
  type BatchConsumerOptions,
} from './batch-consumer';
import { BatchConsumerUsageError } from './batch-consumer-usage-error';
import { BatchHandlerError } from './batch-handler-error';
import { toConsumedMessage, type ConsumedMessage } from './consumed-message';

/** The part of a kafkajs consumer this wrapper uses. */
export type ConsumerPort = Pick<
  Consumer,
  'connect' | 'subscribe' | 'run' | 'pause' | 'resume' | 'disconnect' | 'on' | 'events'
>;

/**
 * The {@link BatchConsumer} on kafkajs (KAFKA_CLIENT=kafkajs). It consumes topics in a consumer group and hands batches
 * to a handler, committing offsets only after the handler resolved for those messages (auto-commit is off). So an offset is never committed before its effect is
 * durable, and a crash, a throw or a rebalance leads to redelivery, never to loss (at-least-once).
 *
 * The commit of a chunk is sent as soon as its handler resolves, but not waited for: the partition's next chunk is
 * fetched and handled meanwhile, and its own commit waits for the one before (one in flight per partition, in
 * order). A commit round trip no longer adds to every chunk's time. A commit that fails leaves its records to the
 * next commit of the partition, or to redelivery; when the consumer is stopping, a chunk's commit is awaited before
 * the batch returns, so a clean shutdown commits everything it handled.
 *
 * A handler error is retried by kafkajs with backoff (KAFKA_RETRIES); when those retries run out the consumer
 * restarts and resumes from the last committed offset. kafkajs does not restart a consumer after an error it deems
 * non-retriable (an authorisation or protocol error, say); left so, the service would stay up and consume nothing
 * until someone restarted it. This wrapper starts it again after `recoveryDelayMs`, as often as needed, logging
 * each time, so the service recovers as soon as the cause is fixed. Get one from `KafkaClient.createConsumer()`.
 */
export class KafkajsBatchConsumer implements BatchConsumer {
  private state: 'new' | 'starting' | 'started' | 'stopped' = 'new';
  private inGroup = false;
  /** What the group gave this member at its last join; void from a rebalance, crash or stop to the next join. */
  private joined: { readonly leader: boolean; readonly assignment: readonly AssignedPartitions[] } | null =
    null;
  private stopping: Promise<void> | null = null;
  private recovery: NodeJS.Timeout | null = null;
  private readonly logger = new Logger('BatchConsumer');
  private readonly removeListeners: Array<() => void> = [];
  /** The latest commit of each topic-partition; it never rejects. */
  private readonly commits = new Map<string, Promise<void>>();

  /** @internal Use `KafkaClient.createConsumer()`. */
  constructor(
    private readonly consumer: ConsumerPort,
    private readonly options: BatchConsumerOptions,
    private readonly startup: Pick<StartupRetry, 'run'>,
  ) {
    checkBatchConsumerOptions(options);
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /**
   * Connects, subscribes, joins the group and starts consuming; call once, at start-up. While the cluster is not ready
   * (unreachable, topics not hosted yet) connecting and subscribing are tried again within KAFKA_STARTUP_RETRY_MS
   * (`StartupRetry`). If joining fails, kafkajs keeps retrying in the background and {@link isRunning} stays false
   * until it succeeds.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new BatchConsumerUsageError(`the consumer of group ${this.groupId} was already started`);
    }
    this.state = 'starting';
    const { events } = this.consumer;
    this.removeListeners.push(
      this.consumer.on(events.GROUP_JOIN, (event?: ConsumerGroupJoinEvent) => {
        this.inGroup = true;
        const payload = event?.payload;
        this.joined = {
          leader: payload?.isLeader ?? false,
          assignment: Object.entries(payload?.memberAssignment ?? {}).map(([topic, partitions]) => ({
            topic,
            partitions: [...partitions].sort((a, b) => a - b),
          })),
        };
      }),
      this.consumer.on(events.REBALANCING, () => {
        this.joined = null;
      }),
      // A crash leaves the group; kafkajs may restart the consumer, and GROUP_JOIN marks it running again.
      this.consumer.on(events.CRASH, (event?: ConsumerCrashEvent) => {
        this.inGroup = false;
        this.joined = null;
        if (event?.payload.restart === false) this.recoverLater(event.payload.error);
      }),
      this.consumer.on(events.STOP, () => {
        this.inGroup = false;
        this.joined = null;
      }),
    );
    const operation = `starting consumer group ${this.groupId}`;
    try {
      // Each step may be repeated: kafkajs' connect returns at once when connected, and a failed subscribe left
      // the consumer not running.
      await this.startup.run(
        operation,
        async () => {
          await this.consumer.connect();
          await this.consumer.subscribe({
            topics: [...this.options.topics],
            fromBeginning: this.options.fromBeginning ?? true,
          });
        },
        () => this.isStopped(),
      );
      // stop() came while connecting: the consumer was disconnected, and run() would connect it again.
      if (this.isStopped()) return;
      await this.consumer.run(this.runConfig());
      this.state = 'started';
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw toKafkaError(error, operation);
    }
  }

  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private runConfig(): ConsumerRunConfig {
    return {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    };
  }

  /** Starts the consumer again after kafkajs gave up on it, unless it is stopping; tries until it runs. */
  private recoverLater(error: Error): void {
    if (this.recovery !== null || this.state === 'stopped') return;
    const delayMs = this.options.recoveryDelayMs ?? DEFAULT_RECOVERY_DELAY_MS;
    this.logger.error(
      `kafkajs stopped the consumer of group ${this.groupId} after an error it does not retry ` +
        `(${toKafkaError(error, 'consuming').message}); starting it again in ${delayMs} ms`,
    );
    this.recovery = setTimeout(() => {
      this.recovery = null;
      if (this.state === 'stopped') return;
      this.consumer
        .connect()
        .then(() => this.consumer.run(this.runConfig()))
        .then(() => this.logger.log(`The consumer of group ${this.groupId} runs again`))
        .catch((failure: unknown) =>
          this.recoverLater(failure instanceof Error ? failure : new Error(String(failure))),
        );
    }, delayMs);
    this.recovery.unref();
  }

  /** True while the consumer is a member of its group and consuming: the readiness signal. */
  isRunning(): boolean {
    return this.state === 'started' && this.inGroup;
  }

  /**
   * The partitions the group assigned to this member at its last join, per topic; empty before the first join and
   * from a rebalance, crash or stop until the next join. Each partition is assigned to one member of the group.
   */
  assignment(): readonly AssignedPartitions[] {
    return this.joined?.assignment ?? [];
  }

  /**
   * True while this member is the leader of its group's current generation: one member of the group at a time, so a
   * replica can use it to take on a task for all of them (e.g. reporting a figure of a shared table). False from a
   * rebalance, crash or stop until the next join says otherwise.
   */
  isGroupLeader(): boolean {
    return this.joined?.leader ?? false;
  }

  /** Stops fetching from the given topics (default: all subscribed) until {@link resume}. Needs a started consumer. */
  pause(topics: readonly string[] = this.options.topics): void {
    try {
      this.consumer.pause(topics.map((topic) => ({ topic })));
    } catch (error) {
      throw toKafkaError(error, `pausing consumer group ${this.groupId}`);
    }
  }

  /** Resumes topics paused with {@link pause}. */
  resume(topics: readonly string[] = this.options.topics): void {
    try {
      this.consumer.resume(topics.map((topic) => ({ topic })));
    } catch (error) {
      throw toKafkaError(error, `resuming consumer group ${this.groupId}`);
    }
  }

  /**
   * Waits for the batch in progress, leaves the group and disconnects. What was handled is committed already;
   * what was not is delivered to the next member. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopped';
      if (this.recovery !== null) clearTimeout(this.recovery);
      this.recovery = null;
      try {
        await this.consumer.disconnect();
      } catch (error) {
        throw toKafkaError(error, `stopping consumer group ${this.groupId}`);
      } finally {
        this.inGroup = false;
        this.joined = null;
        this.removeListeners.splice(0).forEach((remove) => remove());
      }
    })();
    return this.stopping;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const messages = batch.messages.map((message) => toConsumedMessage(topic, partition, message));
    const chunkSize = this.options.maxBatchSize ?? messages.length;
    for (let start = 0; start < messages.length; start += chunkSize) {
      // Stopping, or the partition was reassigned: leave the rest uncommitted; it will be fetched again.
      if (!isRunning() || isStale()) break;
      const chunk = messages.slice(start, start + chunkSize);
      const first = chunk[0] as ConsumedMessage;
      const last = chunk[chunk.length - 1] as ConsumedMessage;
      const key = `${topic}:${partition}`;
      const commitNow = async (offset: string): Promise<void> => {
        const committing = (async () => {
          await this.commits.get(key);
          await commitOffsetsIfNecessary({
            topics: [{ topic, partitions: [{ partition, offset: (BigInt(offset) + 1n).toString() }] }],
          });
        })();
        this.commits.set(
          key,
          committing.catch(() => undefined),
        );
        await committing;
      };
      try {
        await this.options.handler(chunk, { topic, partition, heartbeat, commit: commitNow });
      } catch (error) {
        throw new BatchHandlerError(topic, partition, first.offset, error);
      }
      resolveOffset(last.offset);
      // Kafka's committed offset is the next one to read. Explicit offsets commit even with auto-commit off.
      const next = (BigInt(last.offset) + 1n).toString();
      await this.commits.get(key);
      const commit = commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: next }] }],
      }).catch(() => undefined);
      this.commits.set(key, commit);
      await heartbeat();
    }
    // Stopping: the group is left right after this batch returns, so its last commit must be done by then.
    if (!isRunning()) await this.commits.get(`${topic}:${partition}`);
  }
}
