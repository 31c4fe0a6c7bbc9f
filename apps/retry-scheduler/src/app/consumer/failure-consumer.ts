import type { LoggerService, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { BatchConsumer, KafkaClient, TopicAdmin } from '@smartlink/messaging';
import type { DatabaseOutageHold } from '@smartlink/rm-tables';
import type { FailureEventHandler } from '../failures/failure-event-handler';

/** What readiness needs to know of a consumer. */
export type ConsumerState = Pick<BatchConsumer, 'isRunning' | 'groupId'>;

/** What {@link FailureConsumer} works with. */
export interface FailureConsumerDeps {
  readonly client: Pick<KafkaClient, 'topics' | 'topicSpec' | 'createConsumer'>;
  readonly admin: Pick<TopicAdmin, 'ensureTopicsAtStartup'>;
  readonly handler: Pick<FailureEventHandler, 'handle'>;
  readonly settings: { readonly maxBatchSize: number; readonly partitionsConsumedConcurrently: number };
  /** Holds a chunk that failed while the database is down until it answers, instead of crashing the consumer. */
  readonly hold: Pick<DatabaseOutageHold, 'run' | 'stop'>;
  readonly logger: LoggerService;
}

/**
 * The scheduler's consumer group `<ns>.retry-scheduler` on `<ns>.events`: replicas share its partitions, so each
 * message's failures are planned by one of them, in order. At start-up it ensures the topics the scheduler consumes and
 * produces to. `KafkaModule` stops it at shutdown, after the chunk in flight; what was not committed is redelivered.
 * A chunk that fails while the database is down waits in the `DatabaseOutageHold` and runs again once it answers; at
 * shutdown the hold lets go first, so the consumer can stop.
 */
export class FailureConsumer implements OnApplicationBootstrap, OnModuleDestroy {
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
      handler: (messages, context) =>
        this.deps.hold.run(
          () => this.deps.handler.handle(messages),
          () => context.heartbeat(),
        ),
      ...settings,
    });
    await this.consumer.start();
    logger.log(`Consuming ${topics.events} as ${this.groupId}`);
  }

  /** The consumer, for readiness; not running before start-up. */
  get state(): ConsumerState {
    return this.consumer ?? { groupId: this.groupId, isRunning: () => false };
  }

  /** Runs before the consumer stops (KafkaModule stops it in beforeApplicationShutdown): a held chunk lets go. */
  onModuleDestroy(): void {
    this.deps.hold.stop();
  }

  /** This replica's member of the group, for the consumer lag metric; none before start-up. */
  members(): readonly BatchConsumer[] {
    return this.consumer ? [this.consumer] : [];
  }
}
