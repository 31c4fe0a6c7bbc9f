import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule, type HealthIndicatorFunction } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { READINESS_CHECKS } from './health.tokens';

/** What a service counts as "ready to take work". */
export interface HealthModuleOptions {
  /** Modules that export what `inject` names (global modules need not be listed). */
  readonly imports?: ModuleMetadata['imports'];
  /** Providers the checks need, e.g. the database and Kafka health indicators. */
  readonly inject?: InjectionToken[];
  /** Builds the readiness checks from the injected providers; each check gets its own key in the answer. */
  readonly readiness: (...dependencies: never[]) => HealthIndicatorFunction[];
}

/**
 * Kubernetes probes for a service, through @nestjs/terminus: `GET /health/live` answers while the process serves
 * HTTP and checks nothing else (a dead dependency must not get the pod restarted); `GET /health/ready` runs the
 * readiness checks and answers 503 while any is down, so no work is routed here.
 *
 * @example
 * HealthModule.forRoot({
 *   inject: [RmTablesHealthIndicator, KafkaHealthIndicator],
 *   readiness: (db: RmTablesHealthIndicator, kafka: KafkaHealthIndicator) => [
 *     () => db.isHealthy('database'),
 *     () => kafka.isHealthy('kafka'),
 *   ],
 * })
 */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        HealthIndicatorService,
        {
          provide: READINESS_CHECKS,
          useFactory: options.readiness as (...deps: unknown[]) => HealthIndicatorFunction[],
          inject: options.inject ?? [],
        },
      ],
      exports: [HealthIndicatorService],
    };
  }
}
