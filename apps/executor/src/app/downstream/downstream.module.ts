import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { EventProducer, KafkaClient, TopicAdmin, TopicNames } from '@smartlink/messaging';
import { MessageExecStore, MessageStore } from '@smartlink/rm-tables';
import { AttemptRecorder } from '../attempts/attempt-recorder';
import { SYSTEM_CLOCK } from '../clock/clock';
import { ExecutorCounters } from '../metrics/executor-counters';
import { CommandDispatcher } from './command-dispatcher';
import { CommandTopics } from './command-topics';
import { OutcomeHandler } from './outcome-handler';
import { ReceivedEventHandler } from './received-event-handler';

/**
 * The downstream half of the executor: received messages become rows and command messages, outcomes become history
 * and effects. Needs the RM tables module (passed in, so every module shares its one connection) and the global
 * `KafkaModule`. Exports the handlers, the counters, and what the other halves share: the {@link AttemptRecorder}
 * (history and effects of attempts of both directions) and the {@link CommandDispatcher} (publishing retries).
 */
@Module({})
export class DownstreamModule {
  static forRoot(rmTables: DynamicModule): DynamicModule {
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
          provide: CommandDispatcher,
          useFactory: (
            producer: EventProducer,
            topics: TopicNames,
            commandTopics: CommandTopics,
            counters: ExecutorCounters,
          ) =>
            new CommandDispatcher({
              producer,
              topics,
              commandTopics,
              counters,
              logger: new Logger(CommandDispatcher.name),
            }),
          inject: [EventProducer, TopicNames, CommandTopics, ExecutorCounters],
        },
        {
          provide: AttemptRecorder,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            producer: EventProducer,
            topics: TopicNames,
            counters: ExecutorCounters,
          ) => new AttemptRecorder({ messages, attempts, producer, topics, counters, clock: SYSTEM_CLOCK }),
          inject: [MessageStore, MessageExecStore, EventProducer, TopicNames, ExecutorCounters],
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
            recorder: AttemptRecorder,
            counters: ExecutorCounters,
          ) =>
            new OutcomeHandler({
              messages,
              attempts,
              recorder,
              counters,
              logger: new Logger(OutcomeHandler.name),
            }),
          inject: [MessageStore, MessageExecStore, AttemptRecorder, ExecutorCounters],
        },
      ],
      exports: [ExecutorCounters, CommandDispatcher, AttemptRecorder, ReceivedEventHandler, OutcomeHandler],
    };
  }
}
