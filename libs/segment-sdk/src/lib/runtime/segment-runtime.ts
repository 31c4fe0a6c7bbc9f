import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { EventProducer, KafkaClient, TopicAdmin, type BatchConsumer } from '@smartlink/messaging';
import { SegmentConfigurationError } from '../errors/segment-configuration-error';
import { CommandRegistry } from '../handler/command-registry';
import { LateLogBuffer } from '../logging/late-log-buffer';
import { SEGMENT_SETTINGS } from '../nest/segment.tokens';
import type { SegmentSettings } from '../settings/segment-settings';
import { SegmentStats } from '../stats/segment-stats';
import { AttemptRunner } from './attempt-runner';
import { systemClock } from './clock';
import { CommandChunkProcessor } from './command-chunk-processor';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { StartPace } from './start-pace';
import { FinishedAttempts } from './finished-attempts';
import { outboxBackoff, SegmentOutbox } from './segment-outbox';
import { ShutdownGrace } from './shutdown-grace';

/** The consumer group of a segment: every instance of one segment shares the work of its commands. */
export function segmentGroupId(namespace: string, segment: string): string {
  return `${namespace}.segment.${segment}`;
}

/**
 * Runs the segment inside a Nest app. When the app has started (every `onModuleInit` done, so every handler
 * registered) it seals the registry, makes sure the command, outbound, outcome and log topics exist, and joins the group
 * `<ns>.segment.<name>` subscribed to `<ns>.cmd.<Command>` of each registered command.
 *
 * A record's offset is committed before its handler starts (see {@link CommandChunkProcessor}), so nothing that
 * started is handed back. On shutdown it stops fetching, gives handlers in flight up to `shutdownGraceMs` to finish
 * and publishes their outcomes; an attempt still running when the grace ends gets a `failed` outcome saying the
 * segment shut down while its handler ran (the executor retries it). Kafka itself is closed afterwards by
 * `KafkaModule`.
 */
@Injectable()
export class SegmentRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  readonly groupId: string;
  private readonly stdout: Logger;
  private readonly grace = new ShutdownGrace();
  private readonly lateLogs = new LateLogBuffer();
  private readonly processor: CommandChunkProcessor;
  private readonly outbox: SegmentOutbox;
  private consumer: BatchConsumer | null = null;

  constructor(
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
    private readonly kafka: KafkaClient,
    private readonly admin: TopicAdmin,
    producer: EventProducer,
    private readonly registry: CommandRegistry,
    stats: SegmentStats,
  ) {
    const source = `segment:${settings.segment}`;
    this.groupId = segmentGroupId(kafka.topics.namespace, settings.segment);
    this.stdout = new Logger(source);
    this.outbox = new SegmentOutbox({
      topics: kafka.topics,
      producer,
      lateLogs: this.lateLogs,
      stdout: this.stdout,
      backoff: outboxBackoff,
    });
    this.processor = new CommandChunkProcessor({
      source,
      instance: `${hostname()} pid ${process.pid}`,
      outcomeMarginMs: settings.outcomeMarginMs,
      handlerTimeoutMs: settings.handlerTimeoutMs,
      registry,
      outbox: this.outbox,
      runner: new AttemptRunner({
        source,
        handlerTimeoutMs: settings.handlerTimeoutMs,
        maxPublishBytes: settings.maxPublishBytes,
        stdout: this.stdout,
        clock: systemClock,
        lateLogs: (record) => this.lateLogs.add(record),
        abandoned: (delta) => {
          stats.recordTimedOutRunning(delta);
          if (delta === 1)
            this.stdout.warn(`${stats.snapshot().timedOutStillRunning} timed-out handler(s) still running`);
        },
      }),
      finished: new FinishedAttempts(settings.dedupCapacity),
      limiter: new ConcurrencyLimiter(settings.concurrency),
      pace: new StartPace(settings.concurrency, settings.lookahead),
      grace: this.grace,
      stats,
      stdout: this.stdout,
      clock: systemClock,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.registry.seal();
    const commands = this.registry.commands();
    if (commands.length === 0) {
      throw new SegmentConfigurationError(
        `segment ${this.settings.segment} has no command handlers: put @OnCommand('<Command>') on a method of a ` +
          'provider, or call CommandRegistry.register during start-up',
      );
    }
    const { topics } = this.kafka;
    const commandTopics = commands.map((command) => topics.command(command));
    await this.admin.ensureTopicsAtStartup(
      [...commandTopics, topics.outbound, topics.outcomes, topics.logs].map((name) =>
        this.kafka.topicSpec(name),
      ),
    );
    this.consumer = this.kafka.createConsumer({
      groupId: this.groupId,
      topics: commandTopics,
      maxBatchSize: this.settings.maxBatchSize,
      // The limiter bounds the handlers; several partitions at once keep it busy when chunks are small.
      partitionsConsumedConcurrently: this.settings.concurrency,
      handler: (records, context) => this.processor.process(records, context),
    });
    await this.consumer.start();
    this.stdout.log(`consuming ${commands.join(', ')} in group ${this.groupId}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.grace.begin(this.settings.shutdownGraceMs);
    try {
      await this.consumer?.stop();
      const cut = await this.processor.drain();
      if (cut > 0) {
        this.stdout.warn(`${cut} handler(s) still running when the shutdown grace ended: reported as failed`);
      }
    } finally {
      this.grace.end();
      await this.flushLateLogs();
    }
  }

  /** True while the consumer is in its group and consuming: the readiness signal. */
  isConsuming(): boolean {
    return this.consumer?.isRunning() ?? false;
  }

  /** This replica's member of the segment's group, for the consumer lag metric; none before start-up. */
  members(): readonly BatchConsumer[] {
    return this.consumer ? [this.consumer] : [];
  }

  /** The commands this segment serves. */
  commands(): string[] {
    return this.registry.commands();
  }

  private async flushLateLogs(): Promise<void> {
    try {
      // Shutting down: give the outbox what is left of the late lines, and a bounded time to send it all.
      void this.outbox.send({});
      await Promise.race([this.outbox.idle(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    } catch (error) {
      this.stdout.warn(`late log lines not published: ${String(error)}`);
    }
  }
}
