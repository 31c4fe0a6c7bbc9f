import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { HealthIndicatorService } from '@nestjs/terminus';
import { flagCheck, HealthModule } from '@smartlink/health';
import { ConsumerGroupLag, KafkaHealthIndicator, KafkaModule } from '@smartlink/messaging';
import { MetricsModule as PrometheusModule, MetricsRegistry, registerConsumerLag } from '@smartlink/metrics';
import { RmTablesHealthIndicator, RmTablesModule } from '@smartlink/rm-tables';
import type { LogWriterSettings } from './log-writer-settings';
import { LogWriterCounters } from './metrics/log-writer-counters';
import { exposeLogWriterCounters } from './metrics/log-writer-metrics';
import { MetricsModule } from './metrics/metrics.module';
import { PurgeScheduler } from './retention/purge-scheduler';
import { RetentionModule } from './retention/retention.module';
import { DatabaseWriteGate } from './writing/database-write-gate';
import { LogWriterConsumer } from './writing/log-writer-consumer';
import { WritingModule } from './writing/writing.module';

/** The log-writer's Prometheus metrics: its counters and the lag of its group. */
const LOG_WRITER_METRICS = Symbol('LOG_WRITER_METRICS');

/**
 * Composition root of the log-writer, from settings validated in main.ts: the RM tables, Kafka, the writer of
 * `<ns>.logs`, the retention purge, the counters and the probes. Ready means: the database answers and takes writes,
 * Kafka answers, and the consumer is in its group. The purger lease is a detail only: a standby writes logs as well.
 */
@Module({})
export class AppModule {
  static forRoot(settings: LogWriterSettings): DynamicModule {
    // One module object, imported wherever the tables are needed: Nest keys modules by reference, so one connection.
    const rmTables = RmTablesModule.forRoot(settings.database);
    const writing = WritingModule.forRoot(settings.writer, rmTables);
    const retention = RetentionModule.forRoot(settings.retention, rmTables);
    return {
      module: AppModule,
      imports: [
        ScheduleModule.forRoot(),
        rmTables,
        KafkaModule.forRoot(settings.kafka),
        PrometheusModule.forRoot({ service: 'log-writer' }),
        MetricsModule,
        writing,
        retention,
        HealthModule.forRoot({
          imports: [rmTables, writing, retention],
          inject: [
            RmTablesHealthIndicator,
            KafkaHealthIndicator,
            HealthIndicatorService,
            LogWriterConsumer,
            DatabaseWriteGate,
            PurgeScheduler,
          ],
          readiness: (
            database: RmTablesHealthIndicator,
            kafka: KafkaHealthIndicator,
            indicators: HealthIndicatorService,
            consumer: LogWriterConsumer,
            gate: DatabaseWriteGate,
            purge: PurgeScheduler,
          ) => [
            () => database.isHealthy('database'),
            flagCheck(
              indicators,
              'database-writes',
              () => gate.takesWrites(),
              () => gate.details(),
            ),
            () => kafka.isHealthy('kafka'),
            () => kafka.isConsumerRunning('logs-consumer', consumer.state),
            // Informational: only one replica purges; the others stand by and are just as ready.
            flagCheck(
              indicators,
              'retention-purge',
              () => true,
              () => ({ lease: purge.state() }),
            ),
          ],
          shutdownDeadlineMs: settings.lifecycle.shutdownDeadlineMs,
        }),
      ],
      providers: [
        {
          provide: LOG_WRITER_METRICS,
          useFactory: (
            registry: MetricsRegistry,
            counters: LogWriterCounters,
            lag: ConsumerGroupLag,
            consumer: LogWriterConsumer,
          ) => {
            exposeLogWriterCounters(registry, counters);
            return registerConsumerLag(registry, lag, () => consumer.members());
          },
          inject: [MetricsRegistry, LogWriterCounters, ConsumerGroupLag, LogWriterConsumer],
        },
      ],
    };
  }
}
