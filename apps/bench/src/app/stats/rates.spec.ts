import { bestWindowRate, countPerSecond, perSecond, ratio, steadyRate } from './rates';

describe('ratio', () => {
  it('divides a pipeline figure by its limit', () => {
    expect(ratio(2_500, 10_000)).toBe(0.25);
    expect(ratio(12_000, 10_000)).toBeCloseTo(1.2);
  });

  it('is null when either side is unknown or the limit is not a positive number', () => {
    expect(ratio(null, 10)).toBeNull();
    expect(ratio(10, undefined)).toBeNull();
    expect(ratio(10, 0)).toBeNull();
    expect(ratio(10, -5)).toBeNull();
    expect(ratio(NaN, 10)).toBeNull();
  });
});

describe('perSecond', () => {
  it('turns a count over milliseconds into a rate per second', () => {
    expect(perSecond(50_000, 10_000)).toBe(5_000);
    expect(perSecond(1, 250)).toBe(4);
  });

  it('is null for an empty window', () => {
    expect(perSecond(10, 0)).toBeNull();
    expect(perSecond(10, -1)).toBeNull();
  });
});

describe('countPerSecond', () => {
  const origin = 1_000_000;

  it('counts instants per whole second since the origin', () => {
    expect(countPerSecond([origin, origin + 999, origin + 1000, origin + 2500], origin)).toEqual([2, 1, 1]);
  });

  it('counts instants before the origin in the first second', () => {
    expect(countPerSecond([origin - 5, origin + 10], origin)).toEqual([2]);
  });

  it('pads or cuts to a fixed number of seconds when asked', () => {
    expect(countPerSecond([origin + 10], origin, 3)).toEqual([1, 0, 0]);
    expect(countPerSecond([origin + 10, origin + 5_000], origin, 2)).toEqual([1, 0]);
  });
});

describe('bestWindowRate', () => {
  it('finds the best run of consecutive seconds', () => {
    expect(bestWindowRate([1, 5, 7, 2, 9, 9], 2)).toBe(9);
    expect(bestWindowRate([1, 5, 7, 2, 9, 9], 3)).toBeCloseTo(20 / 3);
  });

  it('is null when the series is shorter than the window', () => {
    expect(bestWindowRate([1, 2], 5)).toBeNull();
  });
});

describe('steadyRate', () => {
  it('is the median second without the ramp-up and the tail', () => {
    // 10 seconds: trimming 10 % drops the slow first and last second.
    expect(steadyRate([10, 100, 120, 110, 90, 100, 105, 95, 100, 3])).toBe(100);
  });

  it('averages the two middle seconds of an even count', () => {
    expect(steadyRate([1, 2, 3, 4], 0)).toBe(2.5);
  });

  it('is null for fewer than 3 seconds', () => {
    expect(steadyRate([5, 5])).toBeNull();
  });
});
