import { LoggerDouble } from '../../../test/support/scheduler-doubles';
import { PeriodicLoop } from './periodic-loop';

describe('PeriodicLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const loop = (tick: () => Promise<{ again: boolean }>, logger = new LoggerDouble()) =>
    new PeriodicLoop({
      name: 'test loop',
      intervalMs: 200,
      backoffMs: 500,
      maxBackoffMs: 2_000,
      tick,
      logger,
    });

  it('ticks at once, then every interval, one tick at a time', async () => {
    let ticks = 0;
    const l = loop(async () => {
      ticks += 1;
      return { again: false };
    });
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(ticks).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(ticks).toBe(6);
    await l.stop();
  });

  it('ticks again at once while a tick says more work waits', async () => {
    const answers = [true, true, false];
    let ticks = 0;
    const l = loop(async () => {
      ticks += 1;
      return { again: answers.shift() ?? false };
    });
    l.start();
    // Well under the 200 ms interval: only the "again" ticks can have run.
    await jest.advanceTimersByTimeAsync(50);
    expect(ticks).toBe(3);
    await l.stop();
  });

  it('backs off after failures, doubling up to the maximum, logging each, and recovers', async () => {
    const logger = new LoggerDouble();
    const times: number[] = [];
    let fail = 4;
    const l = loop(async () => {
      times.push(Date.now());
      if (fail-- > 0) throw new Error('database down');
      return { again: false };
    }, logger);
    l.start();
    await jest.advanceTimersByTimeAsync(10_000);
    await l.stop();
    const gaps = times.slice(1, 6).map((t, i) => t - (times[i] as number));
    expect(gaps).toEqual([500, 1_000, 2_000, 2_000, 200]);
    expect(logger.lines[0]).toBe(
      'error The test loop failed (1 in a row), trying again in 500 ms: database down',
    );
    expect(l.status().failuresInRow).toBe(0);
  });

  it('stops ticking on stop, after the tick in flight finished', async () => {
    let release: () => void = () => undefined;
    let finished = false;
    const l = loop(
      () =>
        new Promise((resolve) => {
          release = () => {
            finished = true;
            resolve({ again: false });
          };
        }),
    );
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(l.isRunning()).toBe(true);
    const stopped = l.stop();
    expect(l.isRunning()).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(true);
  });
});
