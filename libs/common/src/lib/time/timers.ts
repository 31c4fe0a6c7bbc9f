import type { SchedulerRegistry } from '@nestjs/schedule';

/** Named one-shot timers; a port so the scheduling logic runs in unit tests without real time. */
export interface Timers {
  /** Runs `callback` once after `delayMs`, replacing a pending timer of the same name. */
  after(name: string, delayMs: number, callback: () => void): void;
  /** Cancels the pending timer of that name, if any. */
  cancel(name: string): void;
}

/**
 * {@link Timers} on @nestjs/schedule's `SchedulerRegistry`: every pending timer is registered by name, so it can
 * be inspected, and the schedule module clears whatever is left at shutdown.
 */
export class RegisteredTimers implements Timers {
  constructor(private readonly registry: SchedulerRegistry) {}

  after(name: string, delayMs: number, callback: () => void): void {
    this.cancel(name);
    const handle = setTimeout(() => {
      if (this.registry.doesExist('timeout', name)) this.registry.deleteTimeout(name);
      callback();
    }, delayMs);
    this.registry.addTimeout(name, handle);
  }

  cancel(name: string): void {
    if (this.registry.doesExist('timeout', name)) this.registry.deleteTimeout(name);
  }
}
