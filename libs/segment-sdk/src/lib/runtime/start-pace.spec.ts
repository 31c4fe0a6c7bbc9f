import { StartPace } from './start-pace';

describe('StartPace', () => {
  it('admits nothing ahead before a handler has ended', () => {
    expect(new StartPace(16, 64).lookahead()).toBe(0);
  });

  it('admits as many records as `concurrency` handlers of the mean duration finish in half the budget', () => {
    const pace = new StartPace(16, 1_000, 5_000);
    pace.ended(1_000);
    expect(pace.lookahead()).toBe(40);
    expect(pace.meanHandlerMs).toBe(1_000);
  });

  it('admits up to its maximum when handlers take no time, and none when the maximum is 0', () => {
    const pace = new StartPace(16, 64);
    pace.ended(0);
    expect(pace.lookahead()).toBe(64);
    const off = new StartPace(16, 0);
    off.ended(0);
    expect(off.lookahead()).toBe(0);
  });

  it('admits one at most when a handler takes more than the budget allows a slot', () => {
    const pace = new StartPace(16, 1_000, 5_000);
    pace.ended(30_000);
    expect(pace.lookahead()).toBe(1);
    const slower = new StartPace(1, 1_000, 5_000);
    slower.ended(30_000);
    expect(slower.lookahead()).toBe(0);
  });

  it('follows the handlers: a slow one cuts the lookahead at once, fast ones bring it back', () => {
    const pace = new StartPace(16, 1_000, 5_000);
    for (let i = 0; i < 20; i += 1) pace.ended(1);
    const fast = pace.lookahead();
    pace.ended(30_000);
    expect(pace.lookahead()).toBeLessThan(fast / 100);
    for (let i = 0; i < 60; i += 1) pace.ended(1);
    expect(pace.lookahead()).toBeGreaterThan(fast / 2);
  });
});
