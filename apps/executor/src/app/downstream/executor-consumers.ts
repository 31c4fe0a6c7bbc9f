import type { LoggerService, OnApplicationBootstrap } from '@nestjs/common';
import type { BatchConsumer, KafkaClient, TopicAdmin } from '@smartlink/messaging';
import type { ExecutorConsumerSettings } from '../executor-settings';
import type { OutcomeHandler } from './outcome-handler';
import type { ReceivedEventHandler } from './received-event-handler';

/** What readiness needs to know of a consumer. */
export type ConsumerState = Pick<BatchConsumer, 'isRunning' | 'groupId'>;

/** What {@link ExecutorConsumers} works with. */
export interface ExecutorConsumersDeps {
  readonly client: Pick<KafkaClient, 'topics' | 'topicSpec' | 'createConsumer'>;
  readonly admin: Pick<TopicAdmin, 'ensureTopics'>;
  readonly received: Pick<ReceivedEventHandler, 'handle'>;
  readonly outcomes: Pick<OutcomeHandler, 'handle'>;
  readonly settings: {
    readonly events: ExecutorConsumerSettings;
    readonly outcomes: ExecutorConsumerSettings;
  };
  readonly logger: LoggerService;
}

/**
 * The executor's two consumer groups: `<ns>.executor.events` (received messages → rows and command topics) and
 * `<ns>.executor.outcomes` (outcomes → history and effects). At start-up it ensures the topics the executor consumes
 * and produces to, then joins both groups. Stopping is `KafkaModule`'s: at shutdown it stops every consumer first,
 * waiting for the chunk in flight; what was not committed is redelivered to the next member.
 */
export class ExecutorConsumers implements OnApplicationBootstrap {
  readonly eventsGroupId: string;
  readonly outcomesGroupId: string;
  private events: BatchConsumer | null = null;
  private outcomes: BatchConsumer | null = null;

  constructor(private readonly deps: ExecutorConsumersDeps) {
    const { namespace } = deps.client.topics;
    this.eventsGroupId = `${namespace}.executor.events`;
    this.outcomesGroupId = `${namespace}.executor.outcomes`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { client, admin, settings, logger } = this.deps;
    const { topics } = client;
    await admin.ensureTopics(
      [topics.events, topics.outcomes, topics.logs, topics.deadletter].map((name) => client.topicSpec(name)),
    );
    this.events = client.createConsumer({
      groupId: this.eventsGroupId,
      topics: [topics.events],
      handler: (messages) => this.deps.received.handle(messages),
      ...settings.events,
    });
    this.outcomes = client.createConsumer({
      groupId: this.outcomesGroupId,
      topics: [topics.outcomes],
      handler: (messages) => this.deps.outcomes.handle(messages),
      ...settings.outcomes,
    });
    await Promise.all([this.events.start(), this.outcomes.start()]);
    logger.log(
      `Consuming ${topics.events} as ${this.eventsGroupId} and ${topics.outcomes} as ${this.outcomesGroupId}`,
    );
  }

  /** The consumer of the event log, for readiness; not running before start-up. */
  get eventsConsumer(): ConsumerState {
    return this.events ?? notStarted(this.eventsGroupId);
  }

  /** The consumer of the outcomes, for readiness; not running before start-up. */
  get outcomesConsumer(): ConsumerState {
    return this.outcomes ?? notStarted(this.outcomesGroupId);
  }
}

function notStarted(groupId: string): ConsumerState {
  return { groupId, isRunning: () => false };
}
