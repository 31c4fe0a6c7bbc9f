import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@smartlink/messaging';
import { RmTablesModule } from '@smartlink/rm-tables';
import type { PollerSettings } from './poller-settings';

/** Composition root of the poller: the RM tables and Kafka, from settings validated in main.ts. */
@Module({})
export class AppModule {
  static forRoot(settings: PollerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [RmTablesModule.forRoot(settings.database), KafkaModule.forRoot(settings.kafka)],
    };
  }
}
