import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { HealthModule } from '@smartlink/health';
import {
  ConsumerGroupLag,
  EventProducer,
  KafkaClient,
  KafkaHealthIndicator,
  KafkaModule,
  TopicAdmin,
} from '@smartlink/messaging';
import { MetricsModule, MetricsRegistry } from '@smartlink/metrics';
import { registerSegmentMetrics } from '../metrics/segment-metrics';
import { CommandRegistry } from '../handler/command-registry';
import { SegmentHealthIndicator } from '../health/segment.health';
import { SegmentRuntime } from '../runtime/segment-runtime';
import { resolveSegmentSettings, type SegmentModuleOptions } from '../settings/segment-settings';
import { SegmentStats } from '../stats/segment-stats';
import { EnsuredTopic } from '../publishing/ensured-topic';
import { SegmentPublisher } from '../publishing/segment-publisher';
import { HandlerDiscovery } from './handler-discovery';
import { SEGMENT_METRICS, SEGMENT_SETTINGS } from './segment.tokens';

/**
 * A segment in a Nest app: import it once, in the app module. It brings `KafkaModule` (do not import that
 * yourself), finds the `@OnCommand` handlers, consumes their command topics in the group `<ns>.segment.<name>`,
 * reports each attempt on `<ns>.outcomes` and the handlers' logs on `<ns>.logs`.
 *
 * Provides (globally) {@link CommandRegistry} for handlers registered in code, {@link SegmentPublisher} for messages
 * to the cloud (`<ns>.outbound`), {@link SegmentStats}, and {@link SegmentHealthIndicator}.
 *
 * Serves on the app's HTTP port what Kubernetes and Prometheus ask of every service: `GET /health/live`,
 * `GET /health/ready` (Kafka answers and the segment consumes in its group; 503 from SIGTERM on),
 * `GET /health/started` (ready once, then 200 for good) and `GET /metrics` (the segment's counters, its consumer
 * lag, process metrics); and it holds shutdown to `shutdownDeadlineMs` (SHUTDOWN_DEADLINE_MS). Do not import
 * `HealthModule` or `MetricsModule` yourself; inject `MetricsRegistry` to add metrics of your own.
 *
 * @throws SettingsError when an option is out of bounds; start-up then stops with a `SegmentConfigurationError`
 *   for an illegal command name, two handlers of one command, or no handler at all.
 *
 * @example
 * SegmentModule.forRoot({ segment: 'hr', kafka: parseKafkaSettings(process.env) })
 * // or, from the environment: SegmentModule.forRoot(parseSegmentSettings(process.env))
 */
@Module({})
export class SegmentModule {
  static forRoot(options: SegmentModuleOptions): DynamicModule {
    const settings = resolveSegmentSettings(options);
    return {
      module: SegmentModule,
      global: true,
      imports: [
        KafkaModule.forRoot(settings.kafka),
        DiscoveryModule,
        MetricsModule.forRoot({ service: `segment:${settings.segment}` }),
        HealthModule.forRoot({
          inject: [KafkaHealthIndicator, SegmentHealthIndicator],
          readiness: (kafka: KafkaHealthIndicator, segment: SegmentHealthIndicator) => [
            () => kafka.isHealthy('kafka'),
            () => segment.isConsuming('segment'),
          ],
          shutdownDeadlineMs: settings.shutdownDeadlineMs,
        }),
      ],
      providers: [
        { provide: SEGMENT_SETTINGS, useValue: settings },
        { provide: CommandRegistry, useFactory: () => new CommandRegistry() },
        { provide: SegmentStats, useFactory: () => new SegmentStats(settings.segment) },
        {
          provide: SegmentPublisher,
          useFactory: (kafka: KafkaClient, admin: TopicAdmin, producer: EventProducer, stats: SegmentStats) =>
            new SegmentPublisher({
              topic: new EnsuredTopic(admin, kafka, kafka.topics.outbound),
              producer,
              maxDataBytes: settings.maxPublishBytes,
              stats,
            }),
          inject: [KafkaClient, TopicAdmin, EventProducer, SegmentStats],
        },
        HandlerDiscovery,
        SegmentRuntime,
        // Stateless helper from terminus, provided here so the indicator works without TerminusModule in scope.
        HealthIndicatorService,
        SegmentHealthIndicator,
        {
          provide: SEGMENT_METRICS,
          useFactory: (
            registry: MetricsRegistry,
            stats: SegmentStats,
            lag: ConsumerGroupLag,
            runtime: SegmentRuntime,
          ) => registerSegmentMetrics(registry, stats, lag, () => runtime.members()),
          inject: [MetricsRegistry, SegmentStats, ConsumerGroupLag, SegmentRuntime],
        },
      ],
      exports: [SEGMENT_SETTINGS, CommandRegistry, SegmentPublisher, SegmentStats, SegmentHealthIndicator],
    };
  }
}
