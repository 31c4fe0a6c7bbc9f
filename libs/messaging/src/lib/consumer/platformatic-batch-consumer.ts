import { Logger, type LoggerService } from '@nestjs/common';
import type { ConsumerGroupJoinPayload, MessagesStream } from '@platformatic/kafka';
import type { PlatformaticConsumer } from '../client/platformatic-client-factory';
import { toKafkaError } from '../errors/to-kafka-error';
import type { GroupProtocol } from '../settings/kafka-settings';
import type { StartupRetry } from '../startup/startup-retry';
import {
  checkBatchConsumerOptions,
  DEFAULT_RECOVERY_DELAY_MS,
  type AssignedPartitions,
  type BatchConsumer,
  type BatchConsumerOptions,
  type BatchContext,
} from './batch-consumer';
import { BatchConsumerUsageError } from './batch-consumer-usage-error';
import { BatchHandlerError } from './batch-handler-error';
import { platformaticToConsumedMessage, type PlatformaticMessage } from './consumed-message';

/** The part of a @platformatic/kafka consumer this wrapper uses; narrow so unit tests can pass a double. */
export type PlatformaticConsumerPort = Pick<
  PlatformaticConsumer,
  'consume' | 'commit' | 'close' | 'on' | 'removeListener' | 'assignments' | 'isActive'
>;

/** The part of a @platformatic/kafka message stream this wrapper uses. */
export type PlatformaticStreamPort = Pick<
  MessagesStream<Buffer, Buffer, Buffer, Buffer>,
  'on' | 'pause' | 'resume' | 'close' | 'offsetsToFetch'
>;

/** How handler failures are retried: KAFKA_RETRY_INITIAL_MS doubling up to KAFKA_RETRY_MAX_MS. */
export interface HandlerRetry {
  readonly initialRetryTimeMs: number;
  readonly maxRetryTimeMs: number;
}

/** What a {@link PlatformaticBatchConsumer} is built from; `KafkaClient.createConsumer` fills it in. */
export interface PlatformaticBatchConsumerParts {
  /** Builds a new group member; one per start or restart (a closed @platformatic/kafka client never reopens). */
  readonly createConsumer: () => PlatformaticConsumerPort;
  readonly startup: Pick<StartupRetry, 'run'>;
  readonly groupProtocol: GroupProtocol;
  readonly retry: HandlerRetry;
  /** Receives this consumer's warnings and errors (the client library logs nothing of its own). */
  readonly logger?: LoggerService;
}

/**
 * Records held in memory (waiting or being handled) beyond which fetching pauses, at least: @platformatic/kafka's own
 * default read-ahead (its stream's highWaterMark).
 */
const MIN_HELD_RECORDS = 1_024;
const LOG_CONTEXT = 'BatchConsumer';

/** One topic-partition as this member consumes it. */
interface PartitionState {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  /** Fetched, not yet handed to the handler, in offset order. */
  queue: PlatformaticMessage[];
  /** The offset after the last record queued: records below it are a refetch of what is held or was handled. */
  nextOffset: bigint | null;
  /** A chunk of this partition is with the handler. */
  busy: boolean;
  /** Consecutive handler failures, for the backoff; and the timer that ends the current wait. */
  failures: number;
  retry: NodeJS.Timeout | null;
  /** The partition's latest commit; it never rejects. Commits of a partition go one at a time, in order. */
  commit: Promise<void>;
}

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * The {@link BatchConsumer} on @platformatic/kafka (KAFKA_CLIENT=platformatic), over its message stream with
 * auto-commit off. Written here rather than taken from the library because the library hands out records one at a
 * time across all partitions and commits per record: the chunks per topic-partition, one chunk of a partition at a
 * time, the concurrency limit, the handler retries and the commit-after-resolve are this lib's contract.
 *
 * - Records arrive from the stream in offset order per partition and queue per partition; a chunk is at most
 *   `maxBatchSize` of one partition's queue (default: all queued). When more than a bound is held (at least 1,024,
 *   twice `maxBatchSize` × `partitionsConsumedConcurrently`) the stream is paused, so fetching follows handling.
 * - `pause()` of every topic pauses the stream. The library pauses a stream, not a topic: while only some topics are
 *   paused, their records are still fetched and held (not handed out) up to that bound, and then fetching pauses for
 *   all topics until they are resumed. (The services pause all their topics or none.)
 * - The handler's resolve commits past the chunk's last record (`Consumer.commit`, explicit offsets, after the
 *   partition's previous commit came back). A handler that throws commits nothing: the same chunk is handed out again
 *   after KAFKA_RETRY_INITIAL_MS, doubling up to KAFKA_RETRY_MAX_MS, for as long as it fails (kafkajs retries it in
 *   place too, then restarts the consumer from the committed offset: the same records). The partition waits
 *   meanwhile; the others go on.
 * - Heartbeats are the library's own, on a timer, decoupled from handling: `BatchContext.heartbeat` has nothing to do.
 * - When the stream or the group member fails beyond the library's retries (an error event), this member leaves the
 *   group once its chunks in flight are done and committed, and starts again after `recoveryDelayMs` with a new
 *   member, from the committed offsets; as often as needed.
 * - A partition taken away by a rebalance has its queue dropped. The library gives a partition up without waiting for
 *   the chunk with the handler (kafkajs finishes a chunk before it rejoins): that chunk finishes, and its commit may
 *   be refused, but the new owner may meanwhile handle the same records. At least once still holds; handlers must
 *   take a record handled twice at the same time in stride, as our message-id keys do. The library keeps the fetch position of a partition it no longer
 *   owns and reuses it, instead of the group's committed offset, should the partition come back while the group has
 *   no commit for it: records another member fetched but never committed would be skipped. So this wrapper removes
 *   the positions of partitions this member does not own (`MessagesStream.offsetsToFetch`) whenever it sees them.
 * - With KIP-848's `consumer` protocol there is no group leader: {@link isGroupLeader} is true for the member that
 *   owns partition 0 of the first subscribed topic (a partition never has two owners at once under KIP-848).
 */
export class PlatformaticBatchConsumer implements BatchConsumer {
  private state: 'new' | 'starting' | 'started' | 'stopped' = 'new';
  private consumer: PlatformaticConsumerPort | null = null;
  private stream: PlatformaticStreamPort | null = null;
  private streamPaused = false;
  private removeListeners: Array<() => void> = [];
  private inGroup = false;
  /** Classic protocol: between a rebalance and the next join, when the assignment is not known. */
  private rebalancing = false;
  private leader = false;
  private readonly partitions = new Map<string, PartitionState>();
  /** Records held: queued or with the handler. */
  private held = 0;
  private active = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pausedTopics = new Set<string>();
  private pumpScheduled = false;
  private assignedCache: { readonly source: unknown; readonly keys: ReadonlySet<string> } | null = null;
  private recovering: Promise<void> | null = null;
  private wakeRecovery: (() => void) | null = null;
  private stopping: Promise<void> | null = null;
  private readonly logger: LoggerService;
  private readonly maxHeld: number;
  private readonly concurrency: number;

  /** @internal Use `KafkaClient.createConsumer()`. */
  constructor(
    private readonly options: BatchConsumerOptions,
    private readonly parts: PlatformaticBatchConsumerParts,
  ) {
    checkBatchConsumerOptions(options);
    this.logger = parts.logger ?? new Logger(LOG_CONTEXT);
    this.concurrency = options.partitionsConsumedConcurrently ?? 1;
    this.maxHeld = Math.max(MIN_HELD_RECORDS, 2 * (options.maxBatchSize ?? 0) * this.concurrency);
  }

  get groupId(): string {
    return this.options.groupId;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new BatchConsumerUsageError(`the consumer of group ${this.groupId} was already started`);
    }
    this.state = 'starting';
    const operation = `starting consumer group ${this.groupId}`;
    try {
      // Each try builds a new member: one whose join failed half-way is not reused.
      await this.parts.startup.run(
        operation,
        () => this.open(),
        () => this.isStopped(),
      );
      if (this.isStopped()) return;
      this.state = 'started';
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw toKafkaError(error, operation);
    }
  }

  isRunning(): boolean {
    if (this.state !== 'started' || !this.inGroup || this.stream === null || this.recovering !== null)
      return false;
    // Under KIP-848 a fenced member is still "joined" until its next heartbeat: ask the client.
    return this.parts.groupProtocol === 'classic' || (this.consumer?.isActive() ?? false);
  }

  assignment(): readonly AssignedPartitions[] {
    if (!this.inGroup || this.rebalancing) return [];
    return (this.consumer?.assignments ?? []).map(({ topic, partitions }) => ({
      topic,
      partitions: [...partitions].sort((a, b) => a - b),
    }));
  }

  isGroupLeader(): boolean {
    if (!this.inGroup || this.rebalancing) return false;
    if (this.parts.groupProtocol === 'classic') return this.leader;
    return this.assignedKeys().has(partitionKey(this.options.topics[0] as string, 0));
  }

  pause(topics: readonly string[] = this.options.topics): void {
    topics.forEach((topic) => this.pausedTopics.add(topic));
    this.applyFlow();
  }

  resume(topics: readonly string[] = this.options.topics): void {
    topics.forEach((topic) => this.pausedTopics.delete(topic));
    this.applyFlow();
    this.schedulePump();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopped';
      this.inGroup = false;
      if (this.wakeRecovery) this.wakeRecovery();
      for (const state of this.partitions.values()) this.clearRetry(state);
      const { consumer, stream } = this;
      stream?.pause();
      this.dropQueues();
      try {
        // What is with the handler finishes and is committed before the group is left.
        await this.settle();
        await this.recovering;
        await this.closeMember(consumer, stream);
      } catch (error) {
        throw toKafkaError(error, `stopping consumer group ${this.groupId}`);
      }
    })();
    return this.stopping;
  }

  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  /** Builds a group member, joins and opens its stream: one try of a start or a restart. */
  private async open(): Promise<void> {
    const consumer = this.parts.createConsumer();
    this.consumer = consumer;
    this.listenTo(consumer);
    try {
      const stream = await consumer.consume({
        topics: [...this.options.topics],
        autocommit: false,
        // The group's committed offsets; where it has none, the earliest (or latest) record.
        mode: 'committed',
        fallbackMode: (this.options.fromBeginning ?? true) ? 'earliest' : 'latest',
      });
      if (this.isStopped()) {
        await this.closeMember(consumer, stream);
        return;
      }
      this.attach(stream);
    } catch (error) {
      // The member is dropped whatever its close says: the join's error is the one that tells what went wrong.
      await this.closeMember(consumer, null).catch(() => undefined);
      throw error;
    }
  }

  private listenTo(consumer: PlatformaticConsumerPort): void {
    const listen = (event: string, listener: (payload: never) => void) => {
      // The library's typed events, listened to by name.
      const emitter = consumer as unknown as {
        on(event: string, listener: (payload: never) => void): unknown;
        removeListener(event: string, listener: (payload: never) => void): unknown;
      };
      emitter.on(event, listener);
      this.removeListeners.push(() => emitter.removeListener(event, listener));
    };
    const mine = () => this.consumer === consumer;
    listen('consumer:group:join', (payload: ConsumerGroupJoinPayload) => {
      if (!mine()) return;
      this.inGroup = true;
      this.rebalancing = false;
      this.leader = payload.isLeader ?? false;
      this.reconcile();
    });
    listen('consumer:group:leave', () => {
      if (mine()) this.inGroup = false;
    });
    listen('consumer:group:rebalance', () => {
      if (mine() && this.parts.groupProtocol === 'classic') this.rebalancing = true;
    });
    // After each heartbeat the assignment may have changed (KIP-848 brings it with the heartbeat).
    listen('consumer:heartbeat:end', () => {
      if (mine()) this.reconcile();
    });
    // A fenced KIP-848 member loses its assignment right after this event is emitted.
    listen('consumer:heartbeat:error', () => {
      setImmediate(() => {
        if (mine()) this.reconcile();
      });
    });
    // A rejoin the library gave up on. Without a listener the event would crash the process.
    listen('error', (error: Error) => {
      if (mine()) this.restart(error);
    });
  }

  private attach(stream: PlatformaticStreamPort): void {
    this.stream = stream;
    this.streamPaused = false;
    stream.on('data', (message: PlatformaticMessage) => {
      if (this.stream === stream) this.received(message);
    });
    stream.on('error', (error: Error) => {
      if (this.stream === stream) this.restart(error);
    });
    stream.on('close', () => {
      if (this.stream === stream) this.restart(new Error('the message stream closed'));
    });
    // The library pauses and resumes the stream around a KIP-848 revocation; the assignment changed by then.
    stream.on('resume', () => {
      if (this.stream !== stream) return;
      this.reconcile();
      if (this.streamPaused) stream.pause();
    });
    this.applyFlow();
  }

  /** A record from the stream: queued on its partition, unless it is not this member's or was seen already. */
  private received(message: PlatformaticMessage): void {
    const key = partitionKey(message.topic, message.partition);
    if (!this.assignedKeys().has(key)) {
      // A fetch sent before a rebalance answered after it: drop the records and the position it left behind.
      this.stream?.offsetsToFetch.delete(key);
      return;
    }
    let state = this.partitions.get(key);
    if (!state) {
      state = {
        key,
        topic: message.topic,
        partition: message.partition,
        queue: [],
        nextOffset: null,
        busy: false,
        failures: 0,
        retry: null,
        commit: Promise.resolve(),
      };
      this.partitions.set(key, state);
    }
    // After a rejoin the library fetches again from the committed offset: what is held or handled comes again.
    if (state.nextOffset !== null && message.offset < state.nextOffset) return;
    state.queue.push(message);
    state.nextOffset = message.offset + 1n;
    this.held += 1;
    if (this.held >= this.maxHeld) this.applyFlow();
    this.schedulePump();
  }

  /** Pauses the stream while every topic is paused or too much is held, and resumes it otherwise. */
  private applyFlow(): void {
    const { stream } = this;
    if (!stream) return;
    const pause =
      this.options.topics.every((topic) => this.pausedTopics.has(topic)) || this.held >= this.maxHeld;
    if (pause && !this.streamPaused) {
      this.streamPaused = true;
      stream.pause();
    } else if (!pause && this.streamPaused) {
      this.streamPaused = false;
      stream.resume();
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Later in this turn of the event loop: the records of one fetch arrive together, and go out in one chunk.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Hands out chunks while partitions wait and the concurrency allows, taking partitions in turn. */
  private pump(): void {
    if (this.isStopped() || this.stream === null || this.recovering !== null) return;
    const assigned = this.assignedKeys();
    for (const state of [...this.partitions.values()]) {
      if (this.active >= this.concurrency) break;
      if (state.busy || state.retry !== null || state.queue.length === 0) continue;
      if (!assigned.has(state.key)) {
        this.drop(state);
        continue;
      }
      if (this.pausedTopics.has(state.topic)) continue;
      const chunk = state.queue.splice(0, this.options.maxBatchSize ?? state.queue.length);
      // To the back of the line: the next free slot goes to another partition first.
      this.partitions.delete(state.key);
      this.partitions.set(state.key, state);
      const handling = this.handle(state, chunk)
        .catch((error: unknown) =>
          this.logger.error(`Handling ${state.key} failed unexpectedly: ${String(error)}`, LOG_CONTEXT),
        )
        .finally(() => {
          this.inFlight.delete(handling);
          this.applyFlow();
          this.schedulePump();
        });
      this.inFlight.add(handling);
    }
  }

  private async handle(state: PartitionState, chunk: PlatformaticMessage[]): Promise<void> {
    state.busy = true;
    this.active += 1;
    const { topic, partition } = state;
    const messages = chunk.map(platformaticToConsumedMessage);
    const context: BatchContext = {
      topic,
      partition,
      // The library heartbeats on its own timer, whatever the handler does.
      heartbeat: async () => undefined,
      commit: (offset) => {
        const record = chunk.find((message) => message.offset.toString() === offset);
        return this.commitPast(state, BigInt(offset) + 1n, record?.leaderEpoch ?? -1);
      },
    };
    try {
      try {
        await this.options.handler(messages, context);
      } catch (cause) {
        this.failed(state, chunk, new BatchHandlerError(topic, partition, messages[0]?.offset ?? '?', cause));
        return;
      }
      state.failures = 0;
      this.held -= chunk.length;
      this.applyFlow();
      const last = chunk[chunk.length - 1] as PlatformaticMessage;
      // One commit in flight per partition: the next chunk's commit waits for this one, not its handler.
      await state.commit;
      this.commitPast(state, last.offset + 1n, last.leaderEpoch).catch((error: unknown) =>
        this.logger.warn?.(
          `Committing ${topic}[${partition}] up to offset ${last.offset} failed; the next commit of the partition ` +
            `covers it, or its records are delivered again: ${toKafkaError(error, 'committing').message}`,
          LOG_CONTEXT,
        ),
      );
    } finally {
      state.busy = false;
      this.active -= 1;
    }
  }

  /** The handler threw: the chunk goes back to the front of its partition's queue, handed out again after a wait. */
  private failed(state: PartitionState, chunk: PlatformaticMessage[], error: BatchHandlerError): void {
    if (this.isStopped() || !this.assignedKeys().has(state.key) || this.recovering !== null) {
      this.held -= chunk.length;
      return;
    }
    state.queue.unshift(...chunk);
    state.failures += 1;
    const { initialRetryTimeMs, maxRetryTimeMs } = this.parts.retry;
    const delayMs = Math.min(initialRetryTimeMs * 2 ** Math.min(state.failures - 1, 30), maxRetryTimeMs);
    this.logger.warn?.(
      `${error.message}; nothing committed, the same records are handed out again in ${delayMs} ms`,
      LOG_CONTEXT,
    );
    state.retry = setTimeout(() => {
      state.retry = null;
      this.schedulePump();
    }, delayMs);
    state.retry.unref();
  }

  /** Commits the partition's offset `offset` (the next record to read) after its previous commit. */
  private commitPast(state: PartitionState, offset: bigint, leaderEpoch: number): Promise<void> {
    const consumer = this.consumer;
    const { topic, partition } = state;
    const committing = state.commit.then(async () => {
      if (!consumer) throw new Error(`the consumer of group ${this.groupId} is not running`);
      await consumer.commit({ offsets: [{ topic, partition, offset, leaderEpoch }] });
    });
    state.commit = committing.then(
      () => undefined,
      () => undefined,
    );
    return committing.catch((error: unknown) => {
      throw toKafkaError(error, `committing ${topic}[${partition}] up to offset ${offset}`);
    });
  }

  /** Drops what is queued of partitions this member no longer owns, and the positions the library keeps for them. */
  private reconcile(): void {
    const assigned = this.assignedKeys();
    const positions = this.stream?.offsetsToFetch;
    if (positions && this.consumer?.assignments) {
      for (const key of [...positions.keys()]) if (!assigned.has(key)) positions.delete(key);
    }
    for (const state of this.partitions.values()) if (!assigned.has(state.key)) this.drop(state);
    this.applyFlow();
    this.schedulePump();
  }

  private drop(state: PartitionState): void {
    this.held -= state.queue.length;
    state.queue = [];
    state.nextOffset = null;
    state.failures = 0;
    this.clearRetry(state);
    if (!state.busy) this.partitions.delete(state.key);
  }

  private dropQueues(): void {
    for (const state of [...this.partitions.values()]) this.drop(state);
  }

  private clearRetry(state: PartitionState): void {
    if (state.retry !== null) clearTimeout(state.retry);
    state.retry = null;
  }

  private assignedKeys(): ReadonlySet<string> {
    const source = this.consumer?.assignments ?? null;
    if (this.assignedCache?.source !== source) {
      const keys = new Set<string>();
      for (const { topic, partitions } of source ?? []) {
        for (const partition of partitions) keys.add(partitionKey(topic, partition));
      }
      this.assignedCache = { source, keys };
    }
    return (this.assignedCache as { keys: ReadonlySet<string> }).keys;
  }

  /** Waits for the chunks with the handler, then for every partition's last commit. */
  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await Promise.all([...this.partitions.values()].map((state) => state.commit));
  }

  /**
   * The stream or the member failed beyond the library's retries: leave the group once the chunks in flight are done
   * and committed, and start again with a new member after `recoveryDelayMs`, as long as it takes.
   */
  private restart(error: Error): void {
    // Before the stream is open the start itself fails and is retried (`start`).
    if (this.isStopped() || this.stream === null || this.recovering !== null) return;
    const delayMs = this.options.recoveryDelayMs ?? DEFAULT_RECOVERY_DELAY_MS;
    this.logger.error(
      `@platformatic/kafka stopped consuming group ${this.groupId} (${toKafkaError(error, 'consuming').message}); ` +
        `starting it again in ${delayMs} ms`,
      LOG_CONTEXT,
    );
    const { consumer, stream } = this;
    this.inGroup = false;
    stream?.pause();
    this.dropQueues();
    this.recovering = (async () => {
      await this.settle();
      await this.closeMember(consumer, stream).catch(() => undefined);
      this.partitions.clear();
      this.held = 0;
      while (!this.isStopped()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          timer.unref();
          this.wakeRecovery = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRecovery = null;
        if (this.isStopped()) return;
        try {
          await this.open();
          this.logger.log?.(`The consumer of group ${this.groupId} runs again`, LOG_CONTEXT);
          return;
        } catch (failure) {
          this.logger.error(
            `Starting the consumer of group ${this.groupId} again failed ` +
              `(${toKafkaError(failure, 'consuming').message}); trying again in ${delayMs} ms`,
            LOG_CONTEXT,
          );
        }
      }
    })().finally(() => {
      this.recovering = null;
      this.schedulePump();
    });
  }

  /** Closes a member and its stream (leaving the group) and forgets them. Errors of a member on its way out are moot. */
  private async closeMember(
    consumer: PlatformaticConsumerPort | null,
    stream: PlatformaticStreamPort | null,
  ): Promise<void> {
    if (this.consumer === consumer) {
      this.consumer = null;
      this.stream = null;
      this.inGroup = false;
      this.rebalancing = false;
      this.leader = false;
      this.removeListeners.splice(0).forEach((remove) => remove());
    }
    if (stream) await stream.close().catch(() => undefined);
    if (consumer) await consumer.close(true);
  }
}
