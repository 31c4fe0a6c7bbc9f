import type { BeforeApplicationShutdown, LoggerService, OnApplicationBootstrap } from '@nestjs/common';
import type { KafkaLease } from '@smartlink/messaging';
import type { RetentionSettings } from '../log-writer-settings';
import type { LogWriterCounters } from '../metrics/log-writer-counters';
import type { Timers } from '@smartlink/common';
import type { RetentionPurger } from './retention-purger';

/** The timer of the next purge run. */
export const PURGE_TIMER = 'retention-purge';

/** What {@link PurgeScheduler} works with; narrow, so unit tests pass typed doubles. */
export interface PurgeSchedulerDeps {
  readonly purger: Pick<RetentionPurger, 'run'>;
  readonly lease: Pick<KafkaLease, 'start' | 'stop' | 'state' | 'groupId'>;
  readonly timers: Timers;
  readonly counters: Pick<LogWriterCounters, 'failedPurges'>;
  readonly logger: Pick<LoggerService, 'log' | 'warn'>;
  readonly settings: Pick<RetentionSettings, 'enabled' | 'intervalMs'>;
  /** The first run comes this long after boot, or after one interval if that is shorter. */
  readonly firstRunDelayMs: number;
}

/**
 * Runs the retention purge on a schedule: every replica joins the purger lease at boot and ticks every interval;
 * only the holder purges. A run is never started while the previous one is still going (the next is scheduled when
 * one ends), and a failed run is logged, counted and tried again at the next interval. At shutdown the run in
 * progress stops after its current statement, then the lease is left so another replica takes over at once.
 */
export class PurgeScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(private readonly deps: PurgeSchedulerDeps) {}

  async onApplicationBootstrap(): Promise<void> {
    const { settings, lease, logger, firstRunDelayMs } = this.deps;
    if (!settings.enabled) {
      logger.log('Retention purge disabled (RETENTION_PURGE_ENABLED=false)');
      return;
    }
    await lease.start();
    this.schedule(Math.min(firstRunDelayMs, settings.intervalMs));
    logger.log(
      `Retention purge every ${settings.intervalMs} ms on the replica holding ${lease.groupId} (this one: ${lease.state()})`,
    );
  }

  /** The lease state, for readiness details; `disabled` when this replica never purges. */
  state(): string {
    return this.deps.settings.enabled ? this.deps.lease.state() : 'disabled';
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    this.deps.timers.cancel(PURGE_TIMER);
    await this.running;
    if (this.deps.settings.enabled) await this.deps.lease.stop();
  }

  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    this.deps.timers.after(PURGE_TIMER, delayMs, () => {
      this.running = this.runOnce().finally(() => {
        this.running = null;
        this.schedule(this.deps.settings.intervalMs);
      });
    });
  }

  private async runOnce(): Promise<void> {
    try {
      await this.deps.purger.run(this.stopping.signal);
    } catch (error) {
      this.deps.counters.failedPurges += 1;
      this.deps.logger.warn(
        `Retention purge failed, the next run in ${this.deps.settings.intervalMs} ms tries again: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }
}
