import type { LoggerService, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import {
  SmartLinkHeaders,
  type BatchConsumer,
  type BatchContext,
  type ConsumedMessage,
  type KafkaClient,
  type TopicAdmin,
} from '@smartlink/messaging';
import type { DatabaseOutageHold } from '@smartlink/rm-tables';
import type { ExecutorConsumerSettings } from '../executor-settings';
import { RETRY_DUE_EVENT_SCHEMA } from '../retry/read-retry-due-events';

/** What readiness needs to know of a consumer. */
export type ConsumerState = Pick<BatchConsumer, 'isRunning' | 'groupId'>;

/** A handler of one chunk: `ReceivedEventHandler`, `RetryDueHandler`, `OutcomeHandler`, `OutboundHandler`. */
type ChunkHandler = (
  records: readonly ConsumedMessage[],
  context?: Pick<BatchContext, 'heartbeat'>,
) => Promise<void>;

/** What {@link ExecutorConsumers} works with. */
export interface ExecutorConsumersDeps {
  readonly client: Pick<KafkaClient, 'topics' | 'topicSpec' | 'createConsumer'>;
  readonly admin: Pick<TopicAdmin, 'ensureTopicsAtStartup'>;
  readonly received: { readonly handle: ChunkHandler };
  readonly retryDue: { readonly handle: ChunkHandler };
  readonly outcomes: { readonly handle: ChunkHandler };
  readonly outbound: { readonly handle: ChunkHandler };
  readonly settings: {
    readonly events: ExecutorConsumerSettings;
    readonly outcomes: ExecutorConsumerSettings;
    readonly outbound: ExecutorConsumerSettings;
  };
  /** Holds a chunk that failed while the database is down until it answers, instead of crashing the consumer. */
  readonly hold: Pick<DatabaseOutageHold, 'run' | 'stop'>;
  readonly logger: LoggerService;
}

/**
 * The executor's three consumer groups: `<ns>.executor.events` on `<ns>.received` and `<ns>.events` (received
 * messages → rows and command topics; retry-due events → the retry's publish or send), `<ns>.executor.outcomes`
 * (outcomes → history and effects) and `<ns>.executor.outbound` (segments' messages → rows and sends to the cloud). At
 * start-up it ensures the topics the executor consumes and produces to, then joins all three groups. Stopping is
 * `KafkaModule`'s: at shutdown it stops every consumer first, waiting for the chunk in flight; what was not committed
 * is redelivered to the next member.
 * A chunk that fails while the database is down waits in the {@link DatabaseOutageHold} and runs again once it
 * answers; at shutdown the hold lets go first, so the consumers can stop.
 */
export class ExecutorConsumers implements OnApplicationBootstrap, OnModuleDestroy {
  readonly eventsGroupId: string;
  readonly outcomesGroupId: string;
  readonly outboundGroupId: string;
  private events: BatchConsumer | null = null;
  private outcomes: BatchConsumer | null = null;
  private outbound: BatchConsumer | null = null;

  constructor(private readonly deps: ExecutorConsumersDeps) {
    const { namespace } = deps.client.topics;
    this.eventsGroupId = `${namespace}.executor.events`;
    this.outcomesGroupId = `${namespace}.executor.outcomes`;
    this.outboundGroupId = `${namespace}.executor.outbound`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { client, admin, settings, logger } = this.deps;
    const { topics } = client;
    await admin.ensureTopicsAtStartup(
      [topics.received, topics.events, topics.outcomes, topics.outbound, topics.logs, topics.deadletter].map(
        (name) => client.topicSpec(name),
      ),
    );
    this.events = client.createConsumer({
      groupId: this.eventsGroupId,
      // `<ns>.events` for its retry-due events, and for the received events an older poller left there: an upgrade
      // finishes them in the same group, from the offsets it had committed (docs/design/lean-event-flow.md).
      topics: [topics.received, topics.events],
      handler: (messages, context) => this.held(() => this.handleEvents(messages, context), context),
      ...settings.events,
    });
    this.outcomes = client.createConsumer({
      groupId: this.outcomesGroupId,
      topics: [topics.outcomes],
      handler: (messages, context) => this.held(() => this.deps.outcomes.handle(messages, context), context),
      ...settings.outcomes,
    });
    this.outbound = client.createConsumer({
      groupId: this.outboundGroupId,
      topics: [topics.outbound],
      handler: (messages, context) => this.held(() => this.deps.outbound.handle(messages, context), context),
      ...settings.outbound,
    });
    await Promise.all([this.events.start(), this.outcomes.start(), this.outbound.start()]);
    logger.log(
      `Consuming ${topics.received} and ${topics.events} as ${this.eventsGroupId}, ` +
        `${topics.outcomes} as ${this.outcomesGroupId} and ${topics.outbound} as ${this.outboundGroupId}`,
    );
  }

  /** Runs before the consumers stop (KafkaModule stops them in beforeApplicationShutdown): held chunks let go. */
  onModuleDestroy(): void {
    this.deps.hold.stop();
  }

  /** This replica's members of the three groups, for the consumer lag metric; none before start-up. */
  members(): readonly BatchConsumer[] {
    return [this.events, this.outcomes, this.outbound].filter((c): c is BatchConsumer => c !== null);
  }

  /**
   * True while this replica leads the group on the received topic and the event log: one executor at a time, the
   * one that reports the figures of GTOTVSLINKMESSAGE every replica would read alike.
   */
  leadsEventsGroup(): boolean {
    return this.events?.isGroupLeader() ?? false;
  }

  /** The consumer of the received topic and the event log, for readiness; not running before start-up. */
  get eventsConsumer(): ConsumerState {
    return this.events ?? notStarted(this.eventsGroupId);
  }

  /** The consumer of the outcomes, for readiness; not running before start-up. */
  get outcomesConsumer(): ConsumerState {
    return this.outcomes ?? notStarted(this.outcomesGroupId);
  }

  /** The consumer of the outbound messages, for readiness; not running before start-up. */
  get outboundConsumer(): ConsumerState {
    return this.outbound ?? notStarted(this.outboundGroupId);
  }

  private held(work: () => Promise<void>, context: Pick<BatchContext, 'heartbeat'>): Promise<void> {
    return this.deps.hold.run(work, () => context.heartbeat());
  }

  /**
   * A chunk comes from one partition of `<ns>.received` or `<ns>.events`, and is split by type alike: retry-due events
   * go to the retry path, everything else to the received-event projection, which acts on `received` events (new
   * ones from `<ns>.received`, an older poller's from `<ns>.events`) and ignores the other types. Both resolve
   * before the chunk commits.
   */
  private async handleEvents(records: readonly ConsumedMessage[], context: BatchContext): Promise<void> {
    const retries: ConsumedMessage[] = [];
    const others: ConsumedMessage[] = [];
    for (const record of records) {
      (record.headers[SmartLinkHeaders.schema] === RETRY_DUE_EVENT_SCHEMA ? retries : others).push(record);
    }
    if (others.length > 0) await this.deps.received.handle(others, context);
    if (retries.length > 0) await this.deps.retryDue.handle(retries, context);
  }
}

function notStarted(groupId: string): ConsumerState {
  return { groupId, isRunning: () => false };
}
