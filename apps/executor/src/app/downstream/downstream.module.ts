import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { EventProducer, KafkaClient, TopicAdmin, TopicNames } from '@smartlink/messaging';
import { MessageExecStore, MessageStore } from '@smartlink/rm-tables';
import { SYSTEM_CLOCK } from '../clock/clock';
import type { ExecutorSettings } from '../executor-settings';
import { ExecutorCounters } from '../metrics/executor-counters';
import { CommandTopics } from './command-topics';
import { ExecutorConsumers } from './executor-consumers';
import { OutcomeHandler } from './outcome-handler';
import { ReceivedEventHandler } from './received-event-handler';

/**
 * The downstream half of the executor: received messages become rows and command messages, outcomes become history
 * and effects. Needs the RM tables module (passed in, so the app module and this one share its one connection) and
 * the global `KafkaModule`. Exports the consumers (for readiness) and the counters.
 */
@Module({})
export class DownstreamModule {
  static forRoot(
    settings: Pick<ExecutorSettings, 'events' | 'outcomes'>,
    rmTables: DynamicModule,
  ): DynamicModule {
    return {
      module: DownstreamModule,
      imports: [rmTables],
      providers: [
        ExecutorCounters,
        {
          provide: CommandTopics,
          useFactory: (admin: TopicAdmin, client: KafkaClient) => new CommandTopics(admin, client),
          inject: [TopicAdmin, KafkaClient],
        },
        {
          provide: ReceivedEventHandler,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            producer: EventProducer,
            topics: TopicNames,
            commandTopics: CommandTopics,
            counters: ExecutorCounters,
          ) =>
            new ReceivedEventHandler({
              messages,
              attempts,
              producer,
              topics,
              commandTopics,
              counters,
              clock: SYSTEM_CLOCK,
              logger: new Logger(ReceivedEventHandler.name),
            }),
          inject: [
            MessageStore,
            MessageExecStore,
            EventProducer,
            TopicNames,
            CommandTopics,
            ExecutorCounters,
          ],
        },
        {
          provide: OutcomeHandler,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            producer: EventProducer,
            topics: TopicNames,
            counters: ExecutorCounters,
          ) =>
            new OutcomeHandler({
              messages,
              attempts,
              producer,
              topics,
              counters,
              clock: SYSTEM_CLOCK,
              logger: new Logger(OutcomeHandler.name),
            }),
          inject: [MessageStore, MessageExecStore, EventProducer, TopicNames, ExecutorCounters],
        },
        {
          provide: ExecutorConsumers,
          useFactory: (
            client: KafkaClient,
            admin: TopicAdmin,
            received: ReceivedEventHandler,
            outcomes: OutcomeHandler,
          ) =>
            new ExecutorConsumers({
              client,
              admin,
              received,
              outcomes,
              settings,
              logger: new Logger(ExecutorConsumers.name),
            }),
          inject: [KafkaClient, TopicAdmin, ReceivedEventHandler, OutcomeHandler],
        },
      ],
      exports: [ExecutorConsumers, ExecutorCounters],
    };
  }
}
