import type { LoggerService, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { BatchConsumer, KafkaClient, TopicAdmin } from '@smartlink/messaging';
import type { WriterSettings } from '../log-writer-settings';
import type { DatabaseWriteGate } from './database-write-gate';
import type { LogBatchHandler } from './log-batch-handler';

/** What readiness needs to know of the consumer. */
export type ConsumerState = Pick<BatchConsumer, 'isRunning' | 'groupId'>;

/** What {@link LogWriterConsumer} works with. */
export interface LogWriterConsumerDeps {
  readonly client: Pick<KafkaClient, 'topics' | 'topicSpec' | 'createConsumer'>;
  readonly admin: Pick<TopicAdmin, 'ensureTopicsAtStartup'>;
  readonly handler: Pick<LogBatchHandler, 'handle' | 'stop'>;
  readonly gate: Pick<DatabaseWriteGate, 'attach'>;
  readonly settings: Pick<WriterSettings, 'maxBatchSize' | 'partitionsConsumedConcurrently'>;
  readonly logger: Pick<LoggerService, 'log'>;
}

/**
 * The consumer group `<ns>.log-writer` on `<ns>.logs`. At start-up it ensures the topic (the same layout every service
 * asks for) and joins the group. At shutdown it first tells the handler to stop waiting for the database
 * (`onModuleDestroy`, before `KafkaModule` stops the consumers and waits for the chunk in flight), so a chunk held
 * through an outage is handed back uncommitted instead of holding the shutdown past its grace.
 */
export class LogWriterConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  readonly groupId: string;
  private consumer: BatchConsumer | null = null;

  constructor(private readonly deps: LogWriterConsumerDeps) {
    this.groupId = `${deps.client.topics.namespace}.log-writer`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { client, admin, handler, gate, settings, logger } = this.deps;
    const topic = client.topics.logs;
    await admin.ensureTopicsAtStartup([client.topicSpec(topic)]);
    const consumer = client.createConsumer({
      groupId: this.groupId,
      topics: [topic],
      handler: (records, context) => handler.handle(records, context),
      maxBatchSize: settings.maxBatchSize,
      partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
    });
    this.consumer = consumer;
    gate.attach(consumer);
    await consumer.start();
    logger.log(
      `Writing ${topic} to GTOTVSLINKLOG as ${this.groupId}, in chunks of up to ${settings.maxBatchSize}`,
    );
  }

  onModuleDestroy(): void {
    this.deps.handler.stop();
  }

  /** The consumer, for readiness; not running before start-up. */
  get state(): ConsumerState {
    const groupId = this.groupId;
    return this.consumer ?? { groupId, isRunning: () => false };
  }

  /** This replica's member of the group, for the consumer lag metric; none before start-up. */
  members(): readonly BatchConsumer[] {
    return this.consumer ? [this.consumer] : [];
  }
}
