import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@smartlink/messaging';
import { RmTablesModule } from '@smartlink/rm-tables';
import type { ExecutorSettings } from './executor-settings';

/** Composition root of the executor: the RM tables and Kafka, from settings validated in main.ts. */
@Module({})
export class AppModule {
  static forRoot(settings: ExecutorSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [RmTablesModule.forRoot(settings.database), KafkaModule.forRoot(settings.kafka)],
    };
  }
}
