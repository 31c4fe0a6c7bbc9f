import { startupBackoffMs } from './startup-backoff';

describe('startupBackoffMs', () => {
  it('starts at 500 ms and doubles, without jitter at the middle of the random range', () => {
    expect([1, 2, 3, 4, 5].map((retry) => startupBackoffMs(retry, 0.5))).toEqual([
      500, 1000, 2000, 4000, 8000,
    ]);
  });

  it('spreads each wait by up to 20 % either way', () => {
    expect(startupBackoffMs(2, 0)).toBe(800);
    expect(startupBackoffMs(2, 0.999_999)).toBe(1200);
  });

  it('never waits longer than 10 s, however many retries', () => {
    expect(startupBackoffMs(6, 0.999_999)).toBe(10_000);
    expect(startupBackoffMs(6, 0)).toBe(8_000);
    expect(startupBackoffMs(5_000, 0.999_999)).toBe(10_000);
  });
});
