import { Module, type DynamicModule } from '@nestjs/common';
import { SegmentModule } from '@smartlink/segment-sdk';
import { DemoPublishController } from './demo/demo-publish.controller';
import type { ExampleSegmentSettings } from './example-segment-settings';
import { PoisonFaults } from './faults/poison-faults';
import { DemoEmployeeUpdatedHandler } from './handlers/demo-employee-updated.handler';
import { DemoInvoiceIssuedHandler } from './handlers/demo-invoice-issued.handler';
import { DemoPingHandler } from './handlers/demo-ping.handler';
import { StatsController } from './stats/stats.controller';
import { SucceededMessages } from './stats/succeeded-messages';

/**
 * Composition root of the example segment: the SDK (which brings Kafka, the probes and `GET /metrics`), the three
 * demo handlers, `GET /stats` and `POST /demo/publish`.
 */
@Module({})
export class AppModule {
  static forRoot(settings: ExampleSegmentSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [SegmentModule.forRoot(settings.segment)],
      controllers: [StatsController, DemoPublishController],
      providers: [
        // A factory: its constructor takes a capacity, which Nest must not try to inject.
        { provide: SucceededMessages, useFactory: () => new SucceededMessages() },
        // Inert unless SMARTLINK_FAULTS_ENABLED=true: the reliability suite's poison messages.
        { provide: PoisonFaults, useFactory: () => PoisonFaults.fromEnvironment(process.env) },
        DemoPingHandler,
        DemoEmployeeUpdatedHandler,
        DemoInvoiceIssuedHandler,
      ],
    };
  }
}
