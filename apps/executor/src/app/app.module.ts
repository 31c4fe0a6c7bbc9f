import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from '@smartlink/health';
import { KafkaHealthIndicator, KafkaModule } from '@smartlink/messaging';
import { MetricsModule } from '@smartlink/metrics';
import { RmTablesHealthIndicator, RmTablesModule } from '@smartlink/rm-tables';
import { ConsumersModule } from './consumers/consumers.module';
import { ExecutorConsumers } from './consumers/executor-consumers';
import { DownstreamModule } from './downstream/downstream.module';
import type { ExecutorSettings } from './executor-settings';
import { UpstreamModule } from './upstream/upstream.module';

/**
 * Composition root of the executor, from settings validated in main.ts: the RM tables, Kafka, the downstream and
 * upstream halves, their consumers, the probes and `GET /metrics`. Ready means the database and the cluster answer and
 * all three consumers are in their groups; started means that was true once (the port opens after the migrations
 * and the topics).
 */
@Module({})
export class AppModule {
  static forRoot(settings: ExecutorSettings): DynamicModule {
    // One module object each, imported wherever needed: Nest keys modules by reference, so one instance of each.
    const rmTables = RmTablesModule.forRoot(settings.database);
    const downstream = DownstreamModule.forRoot(rmTables, settings);
    const upstream = UpstreamModule.forRoot(settings, rmTables, downstream);
    const consumers = ConsumersModule.forRoot(settings, rmTables, downstream, upstream);
    return {
      module: AppModule,
      imports: [
        rmTables,
        KafkaModule.forRoot(settings.kafka),
        MetricsModule.forRoot({ service: 'executor' }),
        downstream,
        upstream,
        consumers,
        HealthModule.forRoot({
          imports: [rmTables, consumers],
          inject: [RmTablesHealthIndicator, KafkaHealthIndicator, ExecutorConsumers],
          readiness: (
            database: RmTablesHealthIndicator,
            kafka: KafkaHealthIndicator,
            executor: ExecutorConsumers,
          ) => [
            () => database.isHealthy('database'),
            () => kafka.isHealthy('kafka'),
            () => kafka.isConsumerRunning('events-consumer', executor.eventsConsumer),
            () => kafka.isConsumerRunning('outcomes-consumer', executor.outcomesConsumer),
            () => kafka.isConsumerRunning('outbound-consumer', executor.outboundConsumer),
          ],
          shutdownDeadlineMs: settings.lifecycle.shutdownDeadlineMs,
        }),
      ],
    };
  }
}
