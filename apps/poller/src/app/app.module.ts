import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { HealthIndicatorService } from '@nestjs/terminus';
import { flagCheck, HealthModule } from '@smartlink/health';
import { KafkaHealthIndicator, KafkaLease, KafkaModule } from '@smartlink/messaging';
import { RmTablesHealthIndicator, RmTablesModule } from '@smartlink/rm-tables';
import { Backpressure } from './backlog/backpressure';
import { CloudSetup } from './cloud/cloud-setup';
import { PollerModule } from './poller.module';
import type { PollerSettings } from './poller-settings';

/**
 * Composition root of the poller, from settings validated in main.ts: the RM tables, Kafka, the scheduler, the
 * poller itself and its probes. Ready means: database and Kafka answer, and setup is done. The lease state is in
 * the details; a standby is ready, since it must be able to take over at any moment.
 */
@Module({})
export class AppModule {
  static forRoot(settings: PollerSettings): DynamicModule {
    // One instance each: Nest tells modules apart by reference, and the health module needs the same ones.
    const database = RmTablesModule.forRoot(settings.database);
    const poller = PollerModule.forRoot(settings, database);
    return {
      module: AppModule,
      imports: [
        ScheduleModule.forRoot(),
        database,
        KafkaModule.forRoot(settings.kafka),
        poller,
        HealthModule.forRoot({
          imports: [database, poller],
          inject: [
            RmTablesHealthIndicator,
            KafkaHealthIndicator,
            HealthIndicatorService,
            CloudSetup,
            KafkaLease,
            Backpressure,
          ],
          readiness: (
            database: RmTablesHealthIndicator,
            kafka: KafkaHealthIndicator,
            indicators: HealthIndicatorService,
            setup: CloudSetup,
            lease: KafkaLease,
            backpressure: Backpressure,
          ) => [
            () => database.isHealthy('database'),
            () => kafka.isHealthy('kafka'),
            flagCheck(
              indicators,
              'setup',
              () => setup.isDone(),
              () => setup.details(),
            ),
            flagCheck(
              indicators,
              'lease',
              () => lease.state() === 'active' || lease.state() === 'standby',
              () => ({ state: lease.state(), group: lease.groupId }),
            ),
            // Informational: fetching pauses at the high-water mark, but the poller stays ready.
            flagCheck(
              indicators,
              'backlog',
              () => true,
              () => backpressure.snapshot(),
            ),
          ],
        }),
      ],
    };
  }
}
