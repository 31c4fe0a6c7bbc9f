import { SchedulerRegistry } from '@nestjs/schedule';
import { RegisteredTimers } from './timers';

describe('RegisteredTimers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('registers a pending timer by name and forgets it once it fired', () => {
    const registry = new SchedulerRegistry();
    const timers = new RegisteredTimers(registry);
    const fired: string[] = [];

    timers.after('poller.drain', 500, () => fired.push('drain'));
    expect(registry.getTimeouts()).toEqual(['poller.drain']);

    jest.advanceTimersByTime(500);
    expect(fired).toEqual(['drain']);
    expect(registry.getTimeouts()).toEqual([]);
  });

  it('replaces a pending timer of the same name, and cancels', () => {
    const registry = new SchedulerRegistry();
    const timers = new RegisteredTimers(registry);
    const fired: string[] = [];

    timers.after('poller.drain', 500, () => fired.push('first'));
    timers.after('poller.drain', 100, () => fired.push('second'));
    jest.advanceTimersByTime(1_000);
    timers.after('poller.drain', 100, () => fired.push('third'));
    timers.cancel('poller.drain');
    jest.advanceTimersByTime(1_000);

    expect(fired).toEqual(['second']);
    expect(registry.getTimeouts()).toEqual([]);
  });
});
