import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from '@smartlink/health';
import { KafkaHealthIndicator, KafkaModule } from '@smartlink/messaging';
import { RmTablesHealthIndicator, RmTablesModule } from '@smartlink/rm-tables';
import { DownstreamModule } from './downstream/downstream.module';
import { ExecutorConsumers } from './downstream/executor-consumers';
import type { ExecutorSettings } from './executor-settings';

/**
 * Composition root of the executor, from settings validated in main.ts: the RM tables, Kafka, the downstream
 * consumers, and the probes. Ready means the database and the cluster answer and both consumers are in their groups.
 */
@Module({})
export class AppModule {
  static forRoot(settings: ExecutorSettings): DynamicModule {
    // One module object, imported wherever the tables are needed: Nest keys modules by reference, so one connection.
    const rmTables = RmTablesModule.forRoot(settings.database);
    const downstream = DownstreamModule.forRoot(settings, rmTables);
    return {
      module: AppModule,
      imports: [
        rmTables,
        KafkaModule.forRoot(settings.kafka),
        downstream,
        HealthModule.forRoot({
          imports: [rmTables, downstream],
          inject: [RmTablesHealthIndicator, KafkaHealthIndicator, ExecutorConsumers],
          readiness: (
            database: RmTablesHealthIndicator,
            kafka: KafkaHealthIndicator,
            consumers: ExecutorConsumers,
          ) => [
            () => database.isHealthy('database'),
            () => kafka.isHealthy('kafka'),
            () => kafka.isConsumerRunning('events-consumer', consumers.eventsConsumer),
            () => kafka.isConsumerRunning('outcomes-consumer', consumers.outcomesConsumer),
          ],
        }),
      ],
    };
  }
}
