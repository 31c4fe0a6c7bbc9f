import { readFile } from 'node:fs/promises';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { ConsumerGroupLag, EventProducer, KafkaClient, TopicAdmin, TopicNames } from '@smartlink/messaging';
import { MetricsRegistry, registerConsumerLag } from '@smartlink/metrics';
import { HttpPolicyDocumentFetcher, RetryPolicyLoader } from '@smartlink/retry-policy';
import {
  DATABASE_OUTAGE_HOLD_TIMING,
  DatabaseOutageHold,
  MessageExecStore,
  MessageStore,
  RmTablesHealthIndicator,
} from '@smartlink/rm-tables';
import { SYSTEM_CLOCK } from '@smartlink/common';
import { FailureConsumer } from './consumer/failure-consumer';
import { DueDispatcher } from './due/due-dispatcher';
import { FailureEventHandler } from './failures/failure-event-handler';
import { SchedulerLoops } from './loops/scheduler-loops';
import { RetrySchedulerCounters } from './metrics/retry-scheduler-counters';
import { RetrySchedulerMetrics } from './metrics/retry-scheduler-metrics';
import { StatsController } from './metrics/stats.controller';
import { RetryPolicyLifecycle } from './policy/retry-policy-lifecycle';
import { RedriveController } from './redrive/redrive.controller';
import { Redriver } from './redrive/redriver';
import type { RetrySchedulerSettings } from './retry-scheduler-settings';
import { REDRIVE_SETTINGS } from './retry-scheduler.tokens';
import { DispatchSweeper } from './sweep/dispatch-sweeper';

/** The consumer lag gauge of the scheduler's group. */
const SCHEDULER_LAG_METRIC = Symbol('SCHEDULER_LAG_METRIC');

/**
 * The retry scheduler's work: the policy (loaded and refreshed), the consumer of failed/fatal events, the due loop and
 * the sweep, redrive (`POST /redrive`) and `GET /stats`. Needs the RM tables module (passed in, so the app module
 * and this one share its one connection) and the global `KafkaModule`. Exports what readiness looks at.
 */
@Module({})
export class SchedulerModule {
  static forRoot(settings: RetrySchedulerSettings, rmTables: DynamicModule): DynamicModule {
    const { loops, redrive } = settings;
    return {
      module: SchedulerModule,
      imports: [rmTables],
      controllers: [RedriveController, StatsController],
      providers: [
        RetrySchedulerCounters,
        {
          provide: RetrySchedulerMetrics,
          useFactory: (registry: MetricsRegistry, counters: RetrySchedulerCounters) =>
            new RetrySchedulerMetrics(registry, counters),
          inject: [MetricsRegistry, RetrySchedulerCounters],
        },
        {
          provide: SCHEDULER_LAG_METRIC,
          useFactory: (registry: MetricsRegistry, lag: ConsumerGroupLag, consumer: FailureConsumer) =>
            registerConsumerLag(registry, lag, () => consumer.members()),
          inject: [MetricsRegistry, ConsumerGroupLag, FailureConsumer],
        },
        { provide: REDRIVE_SETTINGS, useValue: redrive },
        {
          provide: RetryPolicyLoader,
          useFactory: () =>
            new RetryPolicyLoader({
              ...settings.policy,
              fetcher: new HttpPolicyDocumentFetcher(settings.policy.fetchTimeoutMs),
              readFile: (path) => readFile(path, 'utf8'),
              logger: new Logger('RetryPolicy'),
            }),
        },
        {
          provide: RetryPolicyLifecycle,
          useFactory: (loader: RetryPolicyLoader) => new RetryPolicyLifecycle(loader),
          inject: [RetryPolicyLoader],
        },
        {
          provide: FailureEventHandler,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            producer: EventProducer,
            topics: TopicNames,
            loader: RetryPolicyLoader,
            counters: RetrySchedulerCounters,
            metrics: RetrySchedulerMetrics,
          ) =>
            new FailureEventHandler({
              messages,
              attempts,
              producer,
              topics,
              policy: () => loader.current(),
              counters,
              metrics,
              clock: SYSTEM_CLOCK,
              logger: new Logger(FailureEventHandler.name),
            }),
          inject: [
            MessageStore,
            MessageExecStore,
            EventProducer,
            TopicNames,
            RetryPolicyLoader,
            RetrySchedulerCounters,
            RetrySchedulerMetrics,
          ],
        },
        {
          provide: FailureConsumer,
          useFactory: (
            client: KafkaClient,
            admin: TopicAdmin,
            handler: FailureEventHandler,
            database: RmTablesHealthIndicator,
          ) =>
            new FailureConsumer({
              client,
              admin,
              handler,
              settings: settings.events,
              hold: new DatabaseOutageHold({
                probe: async () => (await database.isHealthy('database')).database.status === 'up',
                logger: new Logger(DatabaseOutageHold.name),
                now: Date.now,
                timing: DATABASE_OUTAGE_HOLD_TIMING,
              }),
              logger: new Logger(FailureConsumer.name),
            }),
          inject: [KafkaClient, TopicAdmin, FailureEventHandler, RmTablesHealthIndicator],
        },
        {
          provide: DueDispatcher,
          useFactory: (
            messages: MessageStore,
            producer: EventProducer,
            topics: TopicNames,
            counters: RetrySchedulerCounters,
            metrics: RetrySchedulerMetrics,
          ) =>
            new DueDispatcher({
              messages,
              producer,
              topics,
              counters,
              metrics,
              clock: SYSTEM_CLOCK,
              logger: new Logger(DueDispatcher.name),
              batchSize: loops.claimBatchSize,
            }),
          inject: [MessageStore, EventProducer, TopicNames, RetrySchedulerCounters, RetrySchedulerMetrics],
        },
        {
          provide: DispatchSweeper,
          useFactory: (
            messages: MessageStore,
            attempts: MessageExecStore,
            producer: EventProducer,
            topics: TopicNames,
            counters: RetrySchedulerCounters,
          ) =>
            new DispatchSweeper({
              messages,
              attempts,
              producer,
              topics,
              counters,
              clock: SYSTEM_CLOCK,
              logger: new Logger(DispatchSweeper.name),
              batchSize: loops.claimBatchSize,
              dispatchTimeoutMs: loops.dispatchTimeoutMs,
              unplannedGraceMs: loops.unplannedGraceMs,
            }),
          inject: [MessageStore, MessageExecStore, EventProducer, TopicNames, RetrySchedulerCounters],
        },
        {
          provide: SchedulerLoops,
          useFactory: (due: DueDispatcher, sweeper: DispatchSweeper) =>
            new SchedulerLoops({ due, sweeper, settings: loops, logger: new Logger(SchedulerLoops.name) }),
          inject: [DueDispatcher, DispatchSweeper],
        },
        {
          provide: Redriver,
          useFactory: (
            messages: MessageStore,
            producer: EventProducer,
            topics: TopicNames,
            counters: RetrySchedulerCounters,
          ) =>
            new Redriver({
              messages,
              producer,
              topics,
              clock: SYSTEM_CLOCK,
              logger: new Logger(Redriver.name),
              ratePerSecond: redrive.ratePerSecond,
              maxPerRequest: redrive.maxPerRequest,
              counters,
            }),
          inject: [MessageStore, EventProducer, TopicNames, RetrySchedulerCounters],
        },
      ],
      exports: [FailureConsumer, SchedulerLoops, RetrySchedulerCounters],
    };
  }
}
