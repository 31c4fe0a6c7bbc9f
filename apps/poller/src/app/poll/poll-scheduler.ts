import type { LoggerService } from '@nestjs/common';
import type { KafkaLease } from '@smartlink/messaging';
import type { CloudSetup } from '../cloud/cloud-setup';
import { FAILED_STOPS, type DrainOutcome, type DrainStop } from '../drain/drain-outcome';
import type { QueueDrainer } from '../drain/queue-drainer';
import type { LogRedactor } from '../logging/log-redactor';
import { nextDrainDelay, type LastRound, type PollTiming } from './next-drain-delay';
import type { Timers } from '@smartlink/common';

const DRAIN_TIMER = 'poller.drain';

/** What a {@link PollScheduler} works with. */
export interface PollSchedulerParts {
  readonly drainer: Pick<QueueDrainer, 'drain'>;
  readonly lease: Pick<KafkaLease, 'isHeld' | 'onChange'>;
  readonly setup: Pick<CloudSetup, 'isDone' | 'onDone'>;
  readonly timers: Timers;
  readonly now: () => number;
  readonly logger: Pick<LoggerService, 'error'>;
  readonly redactor: LogRedactor;
}

/**
 * Runs the drains: one round at a time, never two at once. A round drains only when setup is done and this
 * poller holds the lease; the next round is timed by {@link nextDrainDelay} (the interval, or the idle delay in
 * continuous mode, or the backoff after a failure). Taking the lease and finishing setup start a round at once, so
 * a standby that takes over does not wait for its next tick.
 */
export class PollScheduler {
  private running: Promise<void> | null = null;
  private pendingKick = false;
  private stopped = false;
  private failures = 0;
  /** Drains in a row that found the queue empty without taking a message. */
  private idleRounds = 0;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly parts: PollSchedulerParts,
    private readonly timing: PollTiming,
  ) {}

  /** Starts the first round now and follows the lease and setup from then on. */
  start(): void {
    this.unsubscribe.push(
      this.parts.lease.onChange((held) => {
        if (held) this.kick();
      }),
      this.parts.setup.onDone(() => this.kick()),
    );
    this.kick();
  }

  /** Starts a round now, or right after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pendingKick = true;
      return;
    }
    this.parts.timers.cancel(DRAIN_TIMER);
    const startedAt = this.parts.now();
    this.running = this.round()
      .then((outcome) => this.planNext(outcome, startedAt))
      .catch((error: unknown) => {
        this.parts.logger.error(
          `Scheduling the next drain failed: ${this.parts.redactor.errorText(error)}`,
          PollScheduler.name,
        );
      })
      .finally(() => {
        this.running = null;
        if (this.pendingKick && !this.stopped) {
          this.pendingKick = false;
          this.kick();
        }
      });
  }

  /**
   * Stops starting rounds and waits up to `graceMs` for the round in progress, which finishes its batch in hand.
   * Resolves true when no round is left running.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.stopped = true;
    this.parts.timers.cancel(DRAIN_TIMER);
    this.unsubscribe.splice(0).forEach((remove) => remove());
    const running = this.running;
    if (!running) return true;
    let timer: NodeJS.Timeout | undefined;
    // A plain timer: the schedule module clears registered ones during the same shutdown.
    const grace = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    try {
      return await Promise.race([running.then(() => true), grace]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async round(): Promise<
    Pick<DrainOutcome, 'stop' | 'retryAfterMs' | 'batches'> | { stop: 'inactive' }
  > {
    const { lease, setup, drainer } = this.parts;
    if (!setup.isDone() || !lease.isHeld()) return { stop: 'inactive' };
    try {
      return await drainer.drain(() => this.halt());
    } catch (error) {
      // The drainer handles the failures it expects; anything else is a bug, retried with backoff, not a crash.
      this.parts.logger.error(
        `A drain failed unexpectedly: ${this.parts.redactor.errorText(error)}`,
        PollScheduler.name,
      );
      return { stop: 'cloud-failed', retryAfterMs: null, batches: 0 };
    }
  }

  private halt(): DrainStop | null {
    if (this.stopped) return 'stopping';
    return this.parts.lease.isHeld() ? null : 'lease-lost';
  }

  private planNext(
    outcome: Pick<DrainOutcome, 'stop' | 'retryAfterMs' | 'batches'> | { stop: 'inactive' },
    startedAt: number,
  ): void {
    // A drain that took batches before it failed found the cloud answering: the streak of failures starts again,
    // or a steady backlog with rare faults (every drain ending on one) would back off to the maximum each time.
    if (outcome.stop !== 'inactive' && FAILED_STOPS.has(outcome.stop)) {
      this.failures = outcome.batches > 0 ? 1 : this.failures + 1;
    } else if (outcome.stop !== 'inactive' && outcome.stop !== 'lease-lost') this.failures = 0;
    if (outcome.stop === 'queue-empty') this.idleRounds = outcome.batches > 0 ? 0 : this.idleRounds + 1;
    const last: LastRound = {
      stop: outcome.stop,
      startedAt,
      finishedAt: this.parts.now(),
      failures: this.failures,
      retryAfterMs: 'retryAfterMs' in outcome ? outcome.retryAfterMs : null,
      idleRounds: this.idleRounds,
    };
    const delayMs = nextDrainDelay(this.timing, last);
    if (delayMs === null || this.stopped) return;
    this.parts.timers.after(DRAIN_TIMER, delayMs, () => this.kick());
  }
}
