import { Module, type DynamicModule } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { flagCheck, HealthModule } from '@smartlink/health';
import { KafkaHealthIndicator, KafkaModule } from '@smartlink/messaging';
import { MetricsModule } from '@smartlink/metrics';
import { RmTablesHealthIndicator, RmTablesModule } from '@smartlink/rm-tables';
import { FailureConsumer } from './consumer/failure-consumer';
import { SchedulerLoops } from './loops/scheduler-loops';
import type { RetrySchedulerSettings } from './retry-scheduler-settings';
import { SchedulerModule } from './scheduler.module';

/**
 * Composition root of the retry-scheduler, from settings validated in main.ts: the RM tables, Kafka, the scheduler's
 * work, and the probes. Ready means the database and the cluster answer, the consumer is in its group and both loops
 * run.
 */
@Module({})
export class AppModule {
  static forRoot(settings: RetrySchedulerSettings): DynamicModule {
    // One module object, imported wherever the tables are needed: Nest keys modules by reference, so one connection.
    const rmTables = RmTablesModule.forRoot(settings.database);
    const scheduler = SchedulerModule.forRoot(settings, rmTables);
    return {
      module: AppModule,
      imports: [
        rmTables,
        KafkaModule.forRoot(settings.kafka),
        MetricsModule.forRoot({ service: 'retry-scheduler' }),
        scheduler,
        HealthModule.forRoot({
          imports: [rmTables, scheduler],
          inject: [
            RmTablesHealthIndicator,
            KafkaHealthIndicator,
            FailureConsumer,
            SchedulerLoops,
            HealthIndicatorService,
          ],
          readiness: (
            database: RmTablesHealthIndicator,
            kafka: KafkaHealthIndicator,
            consumer: FailureConsumer,
            loops: SchedulerLoops,
            indicators: HealthIndicatorService,
          ) => [
            () => database.isHealthy('database'),
            () => kafka.isHealthy('kafka'),
            () => kafka.isConsumerRunning('events-consumer', consumer.state),
            ...[loops.dueLoop, loops.sweepLoop].map((loop) =>
              flagCheck(
                indicators,
                loop.name.replace(' ', '-'),
                () => loop.isRunning(),
                () => loop.status(),
              ),
            ),
          ],
          shutdownDeadlineMs: settings.lifecycle.shutdownDeadlineMs,
        }),
      ],
    };
  }
}
