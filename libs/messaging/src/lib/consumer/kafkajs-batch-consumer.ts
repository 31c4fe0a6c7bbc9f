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
import { everyInterval, leaveWithin, stuckMemberReason, type Every } from './member-watch';

/** kafkajs' default `rebalanceTimeout`, which the services do not change. */
export const KAFKAJS_REBALANCE_TIMEOUT_MS = 60_000;

/** How the consumer watches its group membership; `KafkaClient.createConsumer()` fills in the session timeout. */
export interface KafkajsMemberWatch {
  /** The consumer's session timeout (KAFKA_SESSION_TIMEOUT_MS). */
  readonly sessionTimeoutMs: number;
  /**
   * How long without a join or heartbeat, or out of a generation without joining again, before the member is replaced
   * by a new one. Default: the longest a healthy member can legitimately wait, a rebalance timeout plus a session
   * timeout (a rebalance waits up to the former for every member to join), and at least three session timeouts.
   */
  readonly rejoinAfterMs?: number;
  /** Clock in epoch ms; tests pass their own. */
  readonly now?: () => number;
  /** Schedules the check; tests pass their own. */
  readonly every?: Every;
}

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
 * each time, so the service recovers as soon as the cause is fixed.
 *
 * kafkajs can also leave a member stranded without an error: after a rolling restart of a three-broker cluster a
 * member's JoinGroup was answered "the coordinator is loading" and kafkajs never joined again (the lease saw it in
 * the reliability suite's cluster case). A member that has not heard from its coordinator, or has not joined a
 * generation since it left one, for `rejoinAfterMs` while no batch is in its handler is replaced: this wrapper leaves
 * the group with the old kafkajs consumer (waiting at most a session timeout) and joins with a new one, logging a
 * warning each time, until the coordinator answers. Topics paused with {@link pause} stay paused across a
 * replacement or a recovery. Get one from `KafkaClient.createConsumer()`.
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
  private consumer: ConsumerPort;
  /** Topics paused by {@link pause} and not resumed: paused again on a new or restarted kafkajs consumer. */
  private readonly paused = new Set<string>();
  private readonly now: () => number;
  private readonly rejoinAfterMs: number;
  /** Last join, heartbeat or batch: the last sign the membership works. */
  private lastContactAt = 0;
  /** Since when the member has been out of a generation (a rebalance or crash) without joining again. */
  private unsettledSince: number | null = null;
  /** Batches in the handler now. */
  private busy = 0;
  private stopWatchdog: (() => void) | null = null;
  private rejoining: Promise<void> | null = null;

  /** @internal Use `KafkaClient.createConsumer()`. */
  constructor(
    private readonly createConsumer: () => ConsumerPort,
    private readonly options: BatchConsumerOptions,
    private readonly startup: Pick<StartupRetry, 'run'>,
    private readonly watch: KafkajsMemberWatch,
  ) {
    checkBatchConsumerOptions(options);
    this.consumer = createConsumer();
    this.now = watch.now ?? Date.now;
    this.rejoinAfterMs =
      watch.rejoinAfterMs ??
      Math.max(KAFKAJS_REBALANCE_TIMEOUT_MS + watch.sessionTimeoutMs, 3 * watch.sessionTimeoutMs);
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
    this.listen(this.consumer);
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
      this.pauseAgain();
      this.state = 'started';
      this.watchMembership();
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw toKafkaError(error, operation);
    }
  }

  private listen(consumer: ConsumerPort): void {
    const { events } = consumer;
    this.removeListeners.push(
      consumer.on(events.GROUP_JOIN, (event?: ConsumerGroupJoinEvent) => {
        this.inGroup = true;
        this.lastContactAt = this.now();
        this.unsettledSince = null;
        const payload = event?.payload;
        this.joined = {
          leader: payload?.isLeader ?? false,
          assignment: Object.entries(payload?.memberAssignment ?? {}).map(([topic, partitions]) => ({
            topic,
            partitions: [...partitions].sort((a, b) => a - b),
          })),
        };
      }),
      consumer.on(events.HEARTBEAT, () => {
        this.lastContactAt = this.now();
      }),
      consumer.on(events.REBALANCING, () => {
        this.joined = null;
        this.unsettledSince ??= this.now();
      }),
      // A crash leaves the group; kafkajs may restart the consumer, and GROUP_JOIN marks it running again.
      consumer.on(events.CRASH, (event?: ConsumerCrashEvent) => {
        this.inGroup = false;
        this.joined = null;
        this.unsettledSince ??= this.now();
        if (event?.payload.restart === false) this.recoverLater(event.payload.error);
      }),
      consumer.on(events.STOP, () => {
        this.inGroup = false;
        this.joined = null;
      }),
    );
  }

  /** Pauses again, on a consumer that runs anew, what was paused before. */
  private pauseAgain(): void {
    if (this.paused.size > 0) this.consumer.pause([...this.paused].map((topic) => ({ topic })));
  }

  /** Checks, every half session, that the member is not stranded; see the class comment. */
  private watchMembership(): void {
    this.lastContactAt = Math.max(this.lastContactAt, this.now());
    if (!this.inGroup) this.unsettledSince ??= this.now();
    const every = this.watch.every ?? everyInterval;
    this.stopWatchdog = every(Math.max(1, Math.floor(this.watch.sessionTimeoutMs / 2)), () => {
      // A batch in the handler holds kafkajs' heartbeats back (they are sent between chunks), and a recovery is on.
      if (this.rejoining || this.isStopped() || this.busy > 0 || this.recovery !== null) return;
      const reason = stuckMemberReason(
        this.now(),
        { lastContactAt: this.lastContactAt, unsettledSince: this.unsettledSince },
        this.rejoinAfterMs,
      );
      if (reason === null) return;
      this.rejoining = this.rejoin(reason).finally(() => {
        this.rejoining = null;
      });
    });
  }

  /** Replaces a stranded member: leaves with the old kafkajs consumer, joins with a new one. */
  private async rejoin(reason: string): Promise<void> {
    this.logger.warn(
      `Consumer group ${this.groupId}: ${reason}; leaving the group and joining again as a new member`,
    );
    const old = this.consumer;
    this.removeListeners.splice(0).forEach((remove) => remove());
    this.inGroup = false;
    this.joined = null;
    // Both clocks count again from now: a join that fails or hangs is replaced in turn after rejoinAfterMs.
    this.lastContactAt = this.now();
    this.unsettledSince = this.now();
    await leaveWithin(old, this.watch.sessionTimeoutMs);
    if (this.isStopped()) return;
    const consumer = this.createConsumer();
    this.consumer = consumer;
    this.listen(consumer);
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? true,
      });
      await consumer.run(this.runConfig());
      this.pauseAgain();
    } catch (error) {
      this.logger.error(
        `Consumer group ${this.groupId}: joining again failed (${toKafkaError(error, `joining consumer group ${this.groupId}`).message}); ` +
          `trying again after ${this.rejoinAfterMs} ms without word from the coordinator`,
      );
    }
    // stop() came while joining: it may have disconnected the old consumer only.
    if (this.isStopped()) await consumer.disconnect().catch(() => undefined);
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
        .then(() => {
          this.pauseAgain();
          this.logger.log(`The consumer of group ${this.groupId} runs again`);
        })
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
    topics.forEach((topic) => this.paused.add(topic));
    try {
      this.consumer.pause(topics.map((topic) => ({ topic })));
    } catch (error) {
      throw toKafkaError(error, `pausing consumer group ${this.groupId}`);
    }
  }

  /** Resumes topics paused with {@link pause}. */
  resume(topics: readonly string[] = this.options.topics): void {
    topics.forEach((topic) => this.paused.delete(topic));
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
      this.stopWatchdog?.();
      this.stopWatchdog = null;
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
    const { topic, partition } = payload.batch;
    const messages = payload.batch.messages.map((message) => toConsumedMessage(topic, partition, message));
    const chunkSize = this.options.maxBatchSize ?? messages.length;
    this.busy += 1;
    this.lastContactAt = this.now();
    try {
      await this.handleChunks(payload, messages, chunkSize);
    } finally {
      this.busy -= 1;
      this.lastContactAt = this.now();
    }
  }

  private async handleChunks(
    payload: EachBatchPayload,
    messages: readonly ConsumedMessage[],
    chunkSize: number,
  ): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
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
