import type { LoggerService, OnApplicationBootstrap } from '@nestjs/common';
import type { BatchConsumer, KafkaClient, TopicAdmin } from '@smartlink/messaging';
import type { FailureEventHandler } from '../failures/failure-event-handler';

/** What readiness needs to know of a consumer. */
export type ConsumerState = Pick<BatchConsumer, 'isRunning' | 'groupId'>;

/** What {@link FailureConsumer} works with. */
export interface FailureConsumerDeps {
  readonly client: Pick<KafkaClient, 'topics' | 'topicSpec' | 'createConsumer'>;
  readonly admin: Pick<TopicAdmin, 'ensureTopicsAtStartup'>;
  readonly handler: Pick<FailureEventHandler, 'handle'>;
  readonly settings: { readonly maxBatchSize: number; readonly partitionsConsumedConcurrently: number };
  readonly logger: LoggerService;
}

/**
 * The scheduler's consumer group `<ns>.retry-scheduler` on `<ns>.events`: replicas share its partitions, so each
 * message's failures are planned by one of them, in order. At start-up it ensures the topics the scheduler consumes and
 * produces to. `KafkaModule` stops it at shutdown, after the chunk in flight; what was not committed is redelivered.
 */
export class FailureConsumer implements OnApplicationBootstrap {
  readonly groupId: string;
  private consumer: BatchConsumer | null = null;

  constructor(private readonly deps: FailureConsumerDeps) {
    this.groupId = `${deps.client.topics.namespace}.retry-scheduler`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { client, admin, settings, logger } = this.deps;
    const { topics } = client;
    await admin.ensureTopicsAtStartup(
      [topics.events, topics.logs, topics.deadletter].map((name) => client.topicSpec(name)),
    );
    this.consumer = client.createConsumer({
      groupId: this.groupId,
      topics: [topics.events],
      handler: (messages) => this.deps.handler.handle(messages),
      ...settings,
    });
    await this.consumer.start();
    logger.log(`Consuming ${topics.events} as ${this.groupId}`);
  }

  /** The consumer, for readiness; not running before start-up. */
  get state(): ConsumerState {
    return this.consumer ?? { groupId: this.groupId, isRunning: () => false };
  }

  /** This replica's member of the group, for the consumer lag metric; none before start-up. */
  members(): readonly BatchConsumer[] {
    return this.consumer ? [this.consumer] : [];
  }
}
