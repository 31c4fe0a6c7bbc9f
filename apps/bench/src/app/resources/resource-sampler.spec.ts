import { machineBusyTicks } from './resource-sampler';

describe('machineBusyTicks', () => {
  it('adds user, nice, system, irq, softirq and steal, leaving out idle and iowait', () => {
    const stat = 'cpu  100 5 50 9000 40 3 2 1 0 0\ncpu0 50 2 25 4500 20 1 1 0 0 0\n';

    expect(machineBusyTicks(stat)).toBe(100 + 5 + 50 + 3 + 2 + 1);
  });
});
