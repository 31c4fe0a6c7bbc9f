import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { EventProducer, KafkaClient, TopicAdmin, TopicNames } from '@smartlink/messaging';
import { MessageStore } from '@smartlink/rm-tables';
import { SYSTEM_CLOCK } from '../clock/clock';
import { CommandDispatcher } from '../downstream/command-dispatcher';
import { OutcomeHandler } from '../downstream/outcome-handler';
import { ReceivedEventHandler } from '../downstream/received-event-handler';
import type { ExecutorSettings } from '../executor-settings';
import { ExecutorCounters } from '../metrics/executor-counters';
import { RetryDueHandler } from '../retry/retry-due-handler';
import { OutboundHandler } from '../upstream/outbound-handler';
import { UpstreamSender } from '../upstream/upstream-sender';
import { ExecutorConsumers } from './executor-consumers';

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
          ) =>
            new RetryDueHandler({
              messages,
              dispatcher,
              sender,
              producer,
              topics,
              counters,
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
          ],
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
              logger: new Logger(ExecutorConsumers.name),
            }),
          inject: [
            KafkaClient,
            TopicAdmin,
            ReceivedEventHandler,
            RetryDueHandler,
            OutcomeHandler,
            OutboundHandler,
          ],
        },
      ],
      exports: [ExecutorConsumers],
    };
  }
}
