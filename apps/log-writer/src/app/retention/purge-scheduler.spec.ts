import type { LeaseState } from '@smartlink/messaging';
import { LogWriterCounters } from '../metrics/log-writer-counters';
import type { Timers } from '@smartlink/common';
import { PURGE_TIMER, PurgeScheduler } from './purge-scheduler';
import type { PurgeSummary } from './retention-purger';

/** Timers a test fires by hand. */
class ManualTimers implements Timers {
  readonly pending = new Map<string, { delayMs: number; callback: () => void }>();

  after(name: string, delayMs: number, callback: () => void): void {
    this.pending.set(name, { delayMs, callback });
  }

  cancel(name: string): void {
    this.pending.delete(name);
  }

  fire(name: string): void {
    const timer = this.pending.get(name);
    if (!timer) throw new Error(`no timer ${name}`);
    this.pending.delete(name);
    timer.callback();
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup({ enabled = true, intervalMs = 3_600_000 } = {}) {
  const timers = new ManualTimers();
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  let finishRun: () => void = () => undefined;
  const purger = {
    failNext: false,
    holdNext: false,
    run: async (signal: AbortSignal): Promise<PurgeSummary | null> => {
      signals.push(signal);
      calls.push('run');
      if (purger.holdNext) {
        purger.holdNext = false;
        await new Promise<void>((resolve) => {
          finishRun = resolve;
        });
      }
      if (purger.failNext) {
        purger.failNext = false;
        throw new Error('purge attempts failed: connection refused');
      }
      return null;
    },
  };
  const lease = {
    groupId: 'ns.log-writer.purger.lease',
    start: async () => {
      calls.push('lease.start');
    },
    stop: async () => {
      calls.push('lease.stop');
    },
    state: (): LeaseState => 'active',
  };
  const counters = new LogWriterCounters();
  const logger = { log: jest.fn(), warn: jest.fn() };
  const scheduler = new PurgeScheduler({
    purger,
    lease,
    timers,
    counters,
    logger,
    settings: { enabled, intervalMs },
    firstRunDelayMs: 60_000,
  });
  return { scheduler, timers, calls, signals, purger, counters, logger, finish: () => finishRun() };
}

describe('PurgeScheduler', () => {
  it('joins the purger lease at boot and runs first after a minute, then every interval', async () => {
    const { scheduler, timers, calls } = setup();

    await scheduler.onApplicationBootstrap();
    expect(calls).toEqual(['lease.start']);
    expect(timers.pending.get(PURGE_TIMER)?.delayMs).toBe(60_000);

    timers.fire(PURGE_TIMER);
    await flush();
    expect(calls).toEqual(['lease.start', 'run']);
    expect(timers.pending.get(PURGE_TIMER)?.delayMs).toBe(3_600_000);
  });

  it('runs first after one interval when that is shorter than a minute', async () => {
    const { scheduler, timers } = setup({ intervalMs: 5_000 });
    await scheduler.onApplicationBootstrap();
    expect(timers.pending.get(PURGE_TIMER)?.delayMs).toBe(5_000);
  });

  it('schedules the next run only when the current one has ended, so runs never overlap', async () => {
    const { scheduler, timers, purger, finish } = setup();
    await scheduler.onApplicationBootstrap();
    purger.holdNext = true;

    timers.fire(PURGE_TIMER);
    await flush();
    expect(timers.pending.has(PURGE_TIMER)).toBe(false);

    finish();
    await flush();
    expect(timers.pending.has(PURGE_TIMER)).toBe(true);
  });

  it('counts and logs a failed run, and tries again at the next interval', async () => {
    const { scheduler, timers, purger, counters, logger } = setup();
    await scheduler.onApplicationBootstrap();
    purger.failNext = true;

    timers.fire(PURGE_TIMER);
    await flush();

    expect(counters.failedPurges).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('connection refused'));
    expect(timers.pending.get(PURGE_TIMER)?.delayMs).toBe(3_600_000);
  });

  describe('when disabled', () => {
    it('never joins the lease nor schedules a run', async () => {
      const { scheduler, timers, calls } = setup({ enabled: false });
      await scheduler.onApplicationBootstrap();
      await scheduler.beforeApplicationShutdown();
      expect(calls).toEqual([]);
      expect(timers.pending.size).toBe(0);
      expect(scheduler.state()).toBe('disabled');
    });
  });

  describe('at shutdown', () => {
    it('cancels the next run, stops the one in progress, waits for it, then leaves the lease', async () => {
      const { scheduler, timers, purger, calls, signals, finish } = setup();
      await scheduler.onApplicationBootstrap();
      purger.holdNext = true;
      timers.fire(PURGE_TIMER);
      await flush();

      const stopping = scheduler.beforeApplicationShutdown();
      await flush();
      expect(signals[0]?.aborted).toBe(true);
      expect(calls).not.toContain('lease.stop');

      finish();
      await stopping;
      expect(calls).toEqual(['lease.start', 'run', 'lease.stop']);
      expect(timers.pending.size).toBe(0);
    });
  });
});
