import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { HealthIndicatorService } from '@nestjs/terminus';
import { flagCheck, HealthModule } from '@smartlink/health';
import { KafkaHealthIndicator, KafkaLease, KafkaModule } from '@smartlink/messaging';
import { MetricsModule, MetricsRegistry } from '@smartlink/metrics';
import { RmTablesHealthIndicator, RmTablesModule } from '@smartlink/rm-tables';
import { Backpressure } from './backlog/backpressure';
import { CloudSetup } from './cloud/cloud-setup';
import { registerPollerMetrics } from './metrics/poller-metrics';
import { PollerStatus } from './poller-status';
import { PollerModule } from './poller.module';
import type { PollerSettings } from './poller-settings';
import { StatsController } from './stats/stats.controller';

/** The poller's Prometheus metrics. */
const POLLER_METRICS = Symbol('POLLER_METRICS');

/**
 * Composition root of the poller, from settings validated in main.ts: the RM tables, Kafka, the scheduler, the
 * poller itself, its probes and `GET /metrics`.
 *
 * Ready means: database and Kafka answer, setup is done, and the poller is in its lease group, either holding the
 * lease (active: it polls) or as a healthy standby waiting for it — a standby must be able to take over at any
 * moment, so it counts as ready; `lease.state` in the body says which. Not ready while joining the group or once
 * stopped. Started means database, Kafka and the lease group were reached once; cloud setup is left out, so an
 * outage of the cloud never gets the pod restarted. Liveness checks none of this: a standby is never restarted.
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
        MetricsModule.forRoot({ service: 'poller' }),
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
            leaseCheck(indicators, lease),
            // Informational: fetching pauses at the high-water mark, but the poller stays ready.
            flagCheck(
              indicators,
              'backlog',
              () => true,
              () => backpressure.snapshot(),
            ),
          ],
          startup: (
            database: RmTablesHealthIndicator,
            kafka: KafkaHealthIndicator,
            indicators: HealthIndicatorService,
            _setup: CloudSetup,
            lease: KafkaLease,
          ) => [
            () => database.isHealthy('database'),
            () => kafka.isHealthy('kafka'),
            leaseCheck(indicators, lease),
          ],
          shutdownDeadlineMs: settings.lifecycle.shutdownDeadlineMs,
        }),
      ],
      controllers: [StatsController],
      providers: [
        {
          provide: POLLER_METRICS,
          useFactory: (
            registry: MetricsRegistry,
            status: PollerStatus,
            lease: KafkaLease,
            backpressure: Backpressure,
          ) => registerPollerMetrics(registry, status, lease, backpressure),
          inject: [MetricsRegistry, PollerStatus, KafkaLease, Backpressure],
        },
      ],
    };
  }
}

/** Up while this instance holds the lease or stands by for it; the state is in the details either way. */
function leaseCheck(indicators: HealthIndicatorService, lease: KafkaLease) {
  return flagCheck(
    indicators,
    'lease',
    () => lease.state() === 'active' || lease.state() === 'standby',
    () => ({ state: lease.state(), holder: lease.state() === 'active', group: lease.groupId }),
  );
}
