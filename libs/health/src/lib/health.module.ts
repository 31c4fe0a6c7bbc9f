import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HealthIndicatorService, TerminusModule, type HealthIndicatorFunction } from '@nestjs/terminus';
import { DEFAULT_SHUTDOWN_DEADLINE_MS } from '@smartlink/common';
import { HealthController } from './health.controller';
import { PROCESS_EXIT, READINESS_CHECKS, SHUTDOWN_DEADLINE_MS, STARTUP_CHECKS } from './health.tokens';
import { ServicePhase } from './service-phase';
import { ShutdownDeadline, type ProcessExit } from './shutdown-deadline';

type ChecksFactory = (...dependencies: never[]) => HealthIndicatorFunction[];

/** What a service counts as "ready to take work" and "started", and how long it may take to stop. */
export interface HealthModuleOptions {
  /** Modules that export what `inject` names (global modules need not be listed). */
  readonly imports?: ModuleMetadata['imports'];
  /** Providers the checks need, e.g. the database and Kafka health indicators. */
  readonly inject?: InjectionToken[];
  /** Builds the readiness checks from the injected providers; each check gets its own key in the answer. */
  readonly readiness: ChecksFactory;
  /**
   * Builds the checks that must pass once before the service counts as started (same injected providers).
   * Default: the readiness checks. Leave out what an outage outside the pod can hold down for long (the cloud),
   * or the startup probe gets the pod restarted for it.
   */
  readonly startup?: ChecksFactory;
  /** Hard limit on a graceful shutdown after SIGTERM; see {@link ShutdownDeadline}. Default 20 s. */
  readonly shutdownDeadlineMs?: number;
  /** How the process ends when the deadline passes. Default `process.exit`; tests pass their own. */
  readonly exit?: ProcessExit;
}

/**
 * Kubernetes probes for a service, through @nestjs/terminus:
 * - `GET /health/live` answers while the process serves HTTP and checks nothing else (a dead dependency must not get
 *   the pod restarted);
 * - `GET /health/ready` runs the readiness checks and answers 503 while any is down, and from the first shutdown
 *   signal on, so no work is routed here;
 * - `GET /health/started` answers 503 until the startup checks passed once, then 200 for good.
 *
 * It also enforces the shutdown deadline ({@link ShutdownDeadline}).
 *
 * @example
 * HealthModule.forRoot({
 *   inject: [RmTablesHealthIndicator, KafkaHealthIndicator],
 *   readiness: (db: RmTablesHealthIndicator, kafka: KafkaHealthIndicator) => [
 *     () => db.isHealthy('database'),
 *     () => kafka.isHealthy('kafka'),
 *   ],
 *   shutdownDeadlineMs: settings.lifecycle.shutdownDeadlineMs,
 * })
 */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    const inject = options.inject ?? [];
    const exit: ProcessExit = options.exit ?? ((code) => process.exit(code));
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), DiscoveryModule, ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        HealthIndicatorService,
        ServicePhase,
        ShutdownDeadline,
        { provide: SHUTDOWN_DEADLINE_MS, useValue: options.shutdownDeadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS },
        { provide: PROCESS_EXIT, useValue: exit },
        {
          provide: READINESS_CHECKS,
          useFactory: options.readiness as (...deps: unknown[]) => HealthIndicatorFunction[],
          inject,
        },
        {
          provide: STARTUP_CHECKS,
          useFactory: (options.startup ?? options.readiness) as (...deps: unknown[]) => HealthIndicatorFunction[],
          inject,
        },
      ],
      exports: [HealthIndicatorService, ServicePhase, ShutdownDeadline],
    };
  }
}
