import { ExecutorCounters } from './executor-counters';
import { StatsController } from './stats.controller';

describe('StatsController (executor)', () => {
  it('answers a copy of the counters as they stand, which later counting does not change', () => {
    const counters = new ExecutorCounters();
    counters.received = 3;
    counters.sendsFailed = 1;
    const controller = new StatsController(counters);

    const stats = controller.stats();
    counters.received = 4;

    expect(stats).toMatchObject({ received: 3, sendsFailed: 1, outcomes: 0 });
    expect(controller.stats().received).toBe(4);
  });
});
