import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { ConsumerGroupLag, EventProducer, KafkaClient, TopicAdmin, TopicNames } from '@smartlink/messaging';
import { MetricsRegistry, registerConsumerLag } from '@smartlink/metrics';
import {
  DATABASE_OUTAGE_HOLD_TIMING,
  DatabaseOutageHold,
  MessageStore,
  RmTablesHealthIndicator,
} from '@smartlink/rm-tables';
import { SYSTEM_CLOCK } from '@smartlink/common';
import { CommandDispatcher } from '../downstream/command-dispatcher';
import { OutcomeHandler } from '../downstream/outcome-handler';
import { ReceivedEventHandler } from '../downstream/received-event-handler';
import type { ExecutorSettings } from '../executor-settings';
import { ExecutorCounters } from '../metrics/executor-counters';
import { registerMessageTableMetrics } from '../metrics/message-table-metrics';
import { MessageLog } from '../records/message-log';
import { RetryDueHandler } from '../retry/retry-due-handler';
import { OutboundHandler } from '../upstream/outbound-handler';
import { UpstreamSender } from '../upstream/upstream-sender';
import { ExecutorConsumers } from './executor-consumers';

/** The consumer lag gauge of the executor's three groups, and the figures of GTOTVSLINKMESSAGE. */
const EXECUTOR_SHARED_METRICS = Symbol('EXECUTOR_SHARED_METRICS');

/**
 * The executor's consumers and the retry path, which needs both halves: retries of downstream messages are published
 * like first attempts, retries of upstream ones are sent like first sends. Exports the consumers, for readiness.
 */
@Module({})
export class ConsumersModule {
  static forRoot(
    settings: Pick<ExecutorSettings, 'events' | 'outcomes' | 'upstream'>,
    rmTables: DynamicModule,
    downstream: DynamicModule,
    upstream: DynamicModule,
  ): DynamicModule {
    return {
      module: ConsumersModule,
      imports: [rmTables, downstream, upstream],
      providers: [
        {
          provide: RetryDueHandler,
          useFactory: (
            messages: MessageStore,
            dispatcher: CommandDispatcher,
            sender: UpstreamSender,
            producer: EventProducer,
            topics: TopicNames,
            counters: ExecutorCounters,
            messageLog: MessageLog,
          ) =>
            new RetryDueHandler({
              messages,
              dispatcher,
              sender,
              producer,
              topics,
              counters,
              messageLog,
              clock: SYSTEM_CLOCK,
              logger: new Logger(RetryDueHandler.name),
            }),
          inject: [
            MessageStore,
            CommandDispatcher,
            UpstreamSender,
            EventProducer,
            TopicNames,
            ExecutorCounters,
            MessageLog,
          ],
        },
        {
          provide: DatabaseOutageHold,
          useFactory: (database: RmTablesHealthIndicator) =>
            new DatabaseOutageHold({
              probe: async () => (await database.isHealthy('database')).database.status === 'up',
              logger: new Logger(DatabaseOutageHold.name),
              now: Date.now,
              timing: DATABASE_OUTAGE_HOLD_TIMING,
            }),
          inject: [RmTablesHealthIndicator],
        },
        {
          provide: ExecutorConsumers,
          useFactory: (
            client: KafkaClient,
            admin: TopicAdmin,
            received: ReceivedEventHandler,
            retryDue: RetryDueHandler,
            outcomes: OutcomeHandler,
            outbound: OutboundHandler,
            hold: DatabaseOutageHold,
          ) =>
            new ExecutorConsumers({
              client,
              admin,
              received,
              retryDue,
              outcomes,
              outbound,
              settings: {
                events: settings.events,
                outcomes: settings.outcomes,
                outbound: settings.upstream.outbound,
              },
              hold,
              logger: new Logger(ExecutorConsumers.name),
            }),
          inject: [
            KafkaClient,
            TopicAdmin,
            ReceivedEventHandler,
            RetryDueHandler,
            OutcomeHandler,
            OutboundHandler,
            DatabaseOutageHold,
          ],
        },
        {
          provide: EXECUTOR_SHARED_METRICS,
          useFactory: (
            registry: MetricsRegistry,
            lag: ConsumerGroupLag,
            consumers: ExecutorConsumers,
            messages: MessageStore,
          ) => {
            registerConsumerLag(registry, lag, () => consumers.members());
            registerMessageTableMetrics(registry, messages, () => consumers.leadsEventsGroup());
            return true;
          },
          inject: [MetricsRegistry, ConsumerGroupLag, ExecutorConsumers, MessageStore],
        },
      ],
      exports: [ExecutorConsumers],
    };
  }
}
