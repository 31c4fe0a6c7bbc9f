import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { flagCheck } from './flag-check';
import { READINESS_CHECKS, STARTUP_CHECKS } from './health.tokens';
import { ServicePhase } from './service-phase';

/** The probe endpoints; see {@link HealthModule}. */
@Controller('health')
export class HealthController {
  private readonly phaseCheck: HealthIndicatorFunction;

  constructor(
    private readonly health: HealthCheckService,
    private readonly phase: ServicePhase,
    indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly readiness: HealthIndicatorFunction[],
    @Inject(STARTUP_CHECKS) private readonly startup: HealthIndicatorFunction[],
  ) {
    this.phaseCheck = flagCheck(
      indicators,
      'lifecycle',
      () => !phase.stopping,
      () => ({ phase: phase.name }),
    );
  }

  /** Liveness: the process runs and its event loop answers. Nothing else, by design. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every dependency the service needs to take work is up and it is not stopping; 503 otherwise. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([this.phaseCheck, ...this.readiness]);
  }

  /**
   * Startup: 503 until the startup checks passed once (the port itself opens only after the boot hooks: migrations
   * run, topics ensured, consumers started), then 200 for the rest of the process's life.
   */
  @Get('started')
  @HealthCheck()
  async started(): Promise<HealthCheckResult | { status: 'ok'; phase: string }> {
    if (this.phase.started) return { status: 'ok', phase: this.phase.name };
    const result = await this.health.check(this.startup);
    this.phase.markStarted();
    return result;
  }
}
