import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { EventProducer, KafkaClient, TopicAdmin, TopicNames } from '@smartlink/messaging';
import { MessageExecStore, MessageStore } from '@smartlink/rm-tables';
import { AttemptRecorder } from '../attempts/attempt-recorder';
import { SYSTEM_CLOCK } from '@smartlink/common';
import { MetricsRegistry } from '@smartlink/metrics';
import { ExecutorCounters } from '../metrics/executor-counters';
import { ExecutorMetrics } from '../metrics/executor-metrics';
import { MessageLog } from '../records/message-log';
import { CommandDispatcher } from './command-dispatcher';
import { CommandTopics } from './command-topics';
import { OutcomeHandler } from './outcome-handler';
import { ReceivedEventHandler } from './received-event-handler';
import type { ExecutorSettings } from '../executor-settings';
import { StatsController } from '../metrics/stats.controller';

/**
 * The downstream half of the executor: received messages become rows and command messages, outcomes become history
 * and effects. Needs the RM tables module (passed in, so every module shares its one connection) and the global
 * `KafkaModule`. Exports the handlers, the counters, and what the other halves share: the {@link AttemptRecorder}
 * (history and effects of attempts of both directions) and the {@link CommandDispatcher} (publishing retries).
 */
@Module({})
export class DownstreamModule {
  static forRoot(
    rmTables: DynamicModule,
    settings: Pick<ExecutorSettings, 'dispatchTimeoutMs'>,
  ): DynamicModule {
    return {
      module: DownstreamModule,
      imports: [rmTables],
      controllers: [StatsController],
      providers: [
        ExecutorCounters,
        {
          provide: ExecutorMetrics,
          useFactory: (registry: MetricsRegistry, counters: ExecutorCounters) =>
            new ExecutorMetrics(registry, counters),
          inject: [MetricsRegistry, ExecutorCounters],
        },
        { provide: MessageLog, useFactory: () => new MessageLog(new Logger('Executor')) },
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
            messageLog: MessageLog,
          ) =>
            new CommandDispatcher({
              producer,
              topics,
              commandTopics,
              counters,
              messageLog,
              clock: SYSTEM_CLOCK,
              dispatchTimeoutMs: settings.dispatchTimeoutMs,
            }),
          inject: [EventProducer, TopicNames, CommandTopics, ExecutorCounters, MessageLog],
        },
        {
          provide: AttemptRecorder,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            producer: EventProducer,
            topics: TopicNames,
            counters: ExecutorCounters,
            metrics: ExecutorMetrics,
          ) =>
            new AttemptRecorder({
              messages,
              attempts,
              producer,
              topics,
              counters,
              metrics,
              clock: SYSTEM_CLOCK,
            }),
          inject: [
            MessageStore,
            MessageExecStore,
            EventProducer,
            TopicNames,
            ExecutorCounters,
            ExecutorMetrics,
          ],
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
            metrics: ExecutorMetrics,
            messageLog: MessageLog,
          ) =>
            new ReceivedEventHandler({
              messages,
              attempts,
              producer,
              topics,
              commandTopics,
              counters,
              metrics,
              messageLog,
              clock: SYSTEM_CLOCK,
              logger: new Logger(ReceivedEventHandler.name),
              dispatchTimeoutMs: settings.dispatchTimeoutMs,
            }),
          inject: [
            MessageStore,
            MessageExecStore,
            EventProducer,
            TopicNames,
            CommandTopics,
            ExecutorCounters,
            ExecutorMetrics,
            MessageLog,
          ],
        },
        {
          provide: OutcomeHandler,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            recorder: AttemptRecorder,
            counters: ExecutorCounters,
            producer: EventProducer,
            topics: TopicNames,
            messageLog: MessageLog,
          ) =>
            new OutcomeHandler({
              messages,
              attempts,
              recorder,
              counters,
              producer,
              topics,
              messageLog,
              clock: SYSTEM_CLOCK,
              logger: new Logger(OutcomeHandler.name),
            }),
          inject: [
            MessageStore,
            MessageExecStore,
            AttemptRecorder,
            ExecutorCounters,
            EventProducer,
            TopicNames,
            MessageLog,
          ],
        },
      ],
      exports: [
        ExecutorCounters,
        MessageLog,
        CommandDispatcher,
        AttemptRecorder,
        ReceivedEventHandler,
        OutcomeHandler,
      ],
    };
  }
}
