import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { KafkaClient, KafkaLease } from '@smartlink/messaging';
import { LogStore, MessageExecStore } from '@smartlink/rm-tables';
import { LogWriterDefaults as D } from '../log-writer.defaults';
import type { RetentionSettings } from '../log-writer-settings';
import { LogWriterCounters } from '../metrics/log-writer-counters';
import { MetricsModule } from '../metrics/metrics.module';
import { abortableDelay } from '@smartlink/common';
import { SYSTEM_CLOCK } from '@smartlink/common';
import { RegisteredTimers } from '@smartlink/common';
import { PurgeScheduler } from './purge-scheduler';
import { RetentionPurger } from './retention-purger';

/**
 * The retention purge: the purger, its lease (`<ns>.log-writer.purger.lease`) and its schedule. Needs the RM tables
 * module (passed in) and the global Kafka and schedule modules. Exports the scheduler, for readiness details.
 */
@Module({})
export class RetentionModule {
  static forRoot(settings: RetentionSettings, rmTables: DynamicModule): DynamicModule {
    return {
      module: RetentionModule,
      imports: [rmTables, MetricsModule],
      providers: [
        {
          provide: KafkaLease,
          useFactory: (client: KafkaClient) => client.createLease(D.purgeLeaseName),
          inject: [KafkaClient],
        },
        {
          provide: RetentionPurger,
          useFactory: (
            attempts: MessageExecStore,
            logs: LogStore,
            lease: KafkaLease,
            counters: LogWriterCounters,
          ) =>
            new RetentionPurger({
              attempts,
              logs,
              lease,
              counters,
              clock: SYSTEM_CLOCK,
              pause: abortableDelay,
              logger: new Logger(RetentionPurger.name),
              settings,
            }),
          inject: [MessageExecStore, LogStore, KafkaLease, LogWriterCounters],
        },
        {
          provide: PurgeScheduler,
          useFactory: (
            purger: RetentionPurger,
            lease: KafkaLease,
            registry: SchedulerRegistry,
            counters: LogWriterCounters,
          ) =>
            new PurgeScheduler({
              purger,
              lease,
              timers: new RegisteredTimers(registry),
              counters,
              logger: new Logger(PurgeScheduler.name),
              settings,
              firstRunDelayMs: D.purgeFirstRunDelayMs,
            }),
          inject: [RetentionPurger, KafkaLease, SchedulerRegistry, LogWriterCounters],
        },
      ],
      exports: [PurgeScheduler],
    };
  }
}
