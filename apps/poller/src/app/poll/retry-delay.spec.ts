import { retryDelay } from './retry-delay';

const timing = { retryInitialMs: 1_000, retryMaxMs: 30_000 };

describe('retryDelay', () => {
  it('doubles per failure up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => retryDelay(n, null, timing))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it('waits at least what the server asked, but not beyond the cap', () => {
    expect(retryDelay(1, 5_000, timing)).toBe(5_000);
    expect(retryDelay(1, 3_600_000, timing)).toBe(30_000);
  });
});
