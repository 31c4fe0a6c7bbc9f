import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from '@smartlink/health';
import { KafkaHealthIndicator } from '@smartlink/messaging';
import { SegmentHealthIndicator, SegmentModule } from '@smartlink/segment-sdk';
import { DemoPublishController } from './demo/demo-publish.controller';
import type { ExampleSegmentSettings } from './example-segment-settings';
import { DemoEmployeeUpdatedHandler } from './handlers/demo-employee-updated.handler';
import { DemoInvoiceIssuedHandler } from './handlers/demo-invoice-issued.handler';
import { DemoPingHandler } from './handlers/demo-ping.handler';
import { StatsController } from './stats/stats.controller';
import { SucceededMessages } from './stats/succeeded-messages';

/**
 * Composition root of the example segment: the SDK (which brings Kafka), the three demo handlers, the probes
 * (ready = Kafka answers and the segment consumes in its group), `GET /stats` and `POST /demo/publish`.
 */
@Module({})
export class AppModule {
  static forRoot(settings: ExampleSegmentSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SegmentModule.forRoot(settings.segment),
        HealthModule.forRoot({
          inject: [KafkaHealthIndicator, SegmentHealthIndicator],
          readiness: (kafka: KafkaHealthIndicator, segment: SegmentHealthIndicator) => [
            () => kafka.isHealthy('kafka'),
            () => segment.isConsuming('segment'),
          ],
        }),
      ],
      controllers: [StatsController, DemoPublishController],
      providers: [SucceededMessages, DemoPingHandler, DemoEmployeeUpdatedHandler, DemoInvoiceIssuedHandler],
    };
  }
}
