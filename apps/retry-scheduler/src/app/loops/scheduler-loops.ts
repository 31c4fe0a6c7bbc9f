import type { LoggerService, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { DueDispatcher } from '../due/due-dispatcher';
import { RETRY_SCHEDULER_DEFAULTS, type RetryLoopSettings } from '../retry-scheduler-settings';
import type { DispatchSweeper } from '../sweep/dispatch-sweeper';
import { PeriodicLoop } from './periodic-loop';

/** What {@link SchedulerLoops} works with. */
export interface SchedulerLoopsDeps {
  readonly due: Pick<DueDispatcher, 'dispatchDue'>;
  readonly sweeper: Pick<DispatchSweeper, 'sweep'>;
  readonly settings: RetryLoopSettings;
  readonly logger: LoggerService;
}

/**
 * The scheduler's two loops: the due loop (every `RETRY_POLL_INTERVAL_MS`, at once again after a full claim) and the
 * sweep (every `RETRY_SWEEP_INTERVAL_MS`). They start once the app is up and stop first at shutdown, each finishing
 * its tick in flight while the producer is still connected.
 */
export class SchedulerLoops implements OnApplicationBootstrap, OnModuleDestroy {
  readonly dueLoop: PeriodicLoop;
  readonly sweepLoop: PeriodicLoop;

  constructor(deps: SchedulerLoopsDeps) {
    const backoffMs = RETRY_SCHEDULER_DEFAULTS.loopBackoffMs;
    const maxBackoffMs = RETRY_SCHEDULER_DEFAULTS.loopMaxBackoffMs;
    this.dueLoop = new PeriodicLoop({
      name: 'due loop',
      intervalMs: deps.settings.pollIntervalMs,
      backoffMs,
      maxBackoffMs,
      logger: deps.logger,
      tick: async () => ({ again: (await deps.due.dispatchDue()).full }),
    });
    this.sweepLoop = new PeriodicLoop({
      name: 'dispatch sweep',
      intervalMs: deps.settings.sweepIntervalMs,
      backoffMs,
      maxBackoffMs,
      logger: deps.logger,
      tick: async () => {
        await deps.sweeper.sweep();
        return { again: false };
      },
    });
  }

  onApplicationBootstrap(): void {
    this.dueLoop.start();
    this.sweepLoop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.dueLoop.stop(), this.sweepLoop.stop()]);
  }
}
