import { SecretValue } from '@smartlink/common';
import type { LeaseListener } from '@smartlink/messaging';
import type { DrainOutcome, DrainStop } from '../drain/drain-outcome';
import { LogRedactor } from '../logging/log-redactor';
import type { PollTiming } from './next-drain-delay';
import { PollScheduler } from './poll-scheduler';
import type { Timers } from '@smartlink/common';

const TIMING: PollTiming = {
  continuous: false,
  intervalMs: 60_000,
  idleDelayMs: 500,
  retryInitialMs: 1_000,
  retryMaxMs: 30_000,
};

/** Timers the test fires by hand. */
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
    this.pending.delete(name);
    timer?.callback();
  }
  delayOf(name: string): number | undefined {
    return this.pending.get(name)?.delayMs;
  }
}

/** A drainer whose drains the test ends when it wants, with the outcome it wants. */
class ScriptedDrainer {
  readonly calls: Array<{
    halt: () => DrainStop | null;
    finish: (stop: DrainStop, retryAfterMs?: number | null, batches?: number) => void;
  }> = [];
  drain(halt: () => DrainStop | null): Promise<DrainOutcome> {
    return new Promise((resolve) => {
      this.calls.push({
        halt,
        finish: (stop, retryAfterMs = null, batches = 0) =>
          resolve({ stop, batches, received: batches, refused: 0, retryAfterMs }),
      });
    });
  }
}

class FakeLease {
  held = true;
  private readonly listeners = new Set<LeaseListener>();
  isHeld() {
    return this.held;
  }
  onChange(listener: LeaseListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(held: boolean) {
    this.held = held;
    this.listeners.forEach((listener) => listener(held));
  }
}

class FakeSetup {
  done = true;
  private readonly listeners = new Set<() => void>();
  isDone() {
    return this.done;
  }
  onDone(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  finish() {
    this.done = true;
    this.listeners.forEach((listener) => listener());
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup(timing: Partial<PollTiming> = {}) {
  const clock = { now: 1_000 };
  const timers = new ManualTimers();
  const drainer = new ScriptedDrainer();
  const lease = new FakeLease();
  const cloudSetup = new FakeSetup();
  const errors: string[] = [];
  const scheduler = new PollScheduler(
    {
      drainer,
      lease,
      setup: cloudSetup,
      timers,
      now: () => clock.now,
      logger: { error: (message: string) => errors.push(message) },
      redactor: new LogRedactor([new SecretValue('secret')]),
    },
    { ...TIMING, ...timing },
  );
  return { clock, timers, drainer, lease, cloudSetup, scheduler, errors };
}

describe('PollScheduler', () => {
  it('drains at once on start, and in interval mode next at the interval from the start of the round', async () => {
    const { clock, timers, drainer, scheduler } = setup();
    scheduler.start();
    expect(drainer.calls).toHaveLength(1);

    clock.now += 2_000;
    drainer.calls[0]?.finish('queue-empty');
    await settle();

    expect(timers.delayOf('poller.drain')).toBe(58_000);
    timers.fire('poller.drain');
    expect(drainer.calls).toHaveLength(2);
  });

  it('in continuous mode asks again soon after a drain that took messages, backing off to the idle delay', async () => {
    const { timers, drainer, scheduler } = setup({ continuous: true });
    scheduler.start();
    const delays: (number | undefined)[] = [];
    for (const batches of [3, 0, 0, 0, 0, 0, 0, 2]) {
      drainer.calls.at(-1)?.finish('queue-empty', null, batches);
      await settle();
      delays.push(timers.delayOf('poller.drain'));
      timers.fire('poller.drain');
    }
    expect(delays).toEqual([25, 50, 100, 200, 400, 500, 500, 25]);
  });

  it('never runs two drains at once: a kick during a drain runs right after it', async () => {
    const { drainer, lease, scheduler } = setup();
    scheduler.start();
    scheduler.kick();
    lease.set(true);
    expect(drainer.calls).toHaveLength(1);

    drainer.calls[0]?.finish('queue-empty');
    await settle();
    expect(drainer.calls).toHaveLength(2);
  });

  it('backs off after consecutive failures, honouring Retry-After, and resets after a success', async () => {
    const { timers, drainer, scheduler } = setup({ continuous: true });
    scheduler.start();
    drainer.calls[0]?.finish('kafka-failed');
    await settle();
    expect(timers.delayOf('poller.drain')).toBe(1_000);
    timers.fire('poller.drain');
    drainer.calls[1]?.finish('cloud-failed', 9_000);
    await settle();
    expect(timers.delayOf('poller.drain')).toBe(9_000);
    timers.fire('poller.drain');
    drainer.calls[2]?.finish('kafka-failed');
    await settle();
    expect(timers.delayOf('poller.drain')).toBe(4_000);
    timers.fire('poller.drain');
    drainer.calls[3]?.finish('queue-empty');
    await settle();
    timers.fire('poller.drain');
    drainer.calls[4]?.finish('kafka-failed');
    await settle();
    expect(timers.delayOf('poller.drain')).toBe(1_000);
  });

  it('starts the backoff again after a drain that took batches before it failed', async () => {
    const { timers, drainer, scheduler } = setup({ continuous: true });
    scheduler.start();
    drainer.calls[0]?.finish('cloud-failed');
    await settle();
    timers.fire('poller.drain');
    drainer.calls[1]?.finish('cloud-failed');
    await settle();
    expect(timers.delayOf('poller.drain')).toBe(2_000);
    timers.fire('poller.drain');
    // a long drain under a steady backlog that ends on one fault, as every drain does while the backlog lasts
    drainer.calls[2]?.finish('cloud-failed', null, 40);
    await settle();
    expect(timers.delayOf('poller.drain')).toBe(1_000);
    timers.fire('poller.drain');
    drainer.calls[3]?.finish('cloud-failed', null, 40);
    await settle();
    expect(timers.delayOf('poller.drain')).toBe(1_000);
  });

  describe('on a standby', () => {
    it('does not drain, and drains at once when it takes the lease', async () => {
      const { timers, drainer, lease, scheduler } = setup();
      lease.held = false;
      scheduler.start();
      await settle();
      expect(drainer.calls).toHaveLength(0);
      expect(timers.delayOf('poller.drain')).toBe(60_000);

      lease.set(true);
      expect(drainer.calls).toHaveLength(1);
    });
  });

  it('does not drain before setup is done, and drains as soon as it is', async () => {
    const { drainer, cloudSetup, scheduler } = setup();
    cloudSetup.done = false;
    scheduler.start();
    await settle();
    expect(drainer.calls).toHaveLength(0);
    cloudSetup.finish();
    await settle();
    expect(drainer.calls).toHaveLength(1);
  });

  it('tells the drain to halt when the lease is lost', () => {
    const { drainer, lease, scheduler } = setup();
    scheduler.start();
    const { halt } = drainer.calls[0] ?? { halt: () => 'stopping' as const };
    expect(halt()).toBeNull();
    lease.held = false;
    expect(halt()).toBe('lease-lost');
  });

  describe('on stop', () => {
    it('tells the drain to halt, waits for its batch in hand and schedules nothing more', async () => {
      const { timers, drainer, scheduler } = setup();
      scheduler.start();
      const stopping = scheduler.stop(5_000);
      expect(drainer.calls[0]?.halt()).toBe('stopping');

      drainer.calls[0]?.finish('stopping');
      await expect(stopping).resolves.toBe(true);
      expect(timers.pending.size).toBe(0);
      scheduler.kick();
      expect(drainer.calls).toHaveLength(1);
    });

    it('gives up waiting after the grace period', async () => {
      const { scheduler } = setup();
      scheduler.start();
      await expect(scheduler.stop(10)).resolves.toBe(false);
    });
  });

  it('logs an unexpected drain error and backs off instead of crashing', async () => {
    const { timers, drainer, scheduler, errors } = setup({ continuous: true });
    drainer.drain = async () => {
      throw new Error('bug');
    };
    scheduler.start();
    await settle();
    expect(errors).toEqual(['A drain failed unexpectedly: Error: bug']);
    expect(timers.delayOf('poller.drain')).toBe(1_000);
  });
});
