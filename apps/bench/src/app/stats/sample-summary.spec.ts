import { percentile, summarize } from './sample-summary';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the nearest rank: the smallest sample with p % of the samples at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('never interpolates between samples', () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 51)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
  });

  it('gives the smallest sample for p = 0 and the only sample of one', () => {
    expect(percentile([3, 4, 5], 0)).toBe(3);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without samples, and refuses a p outside 0-100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts the samples and reports count, extremes, mean and p50/p95/p99', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1000..1

    expect(summarize(samples)).toEqual({
      count: 1000,
      min: 1,
      p50: 500,
      p95: 950,
      p99: 990,
      max: 1000,
      mean: 500.5,
    });
  });

  it('shows a slow tail in p99 while p50 stays low', () => {
    const samples = [...new Array<number>(98).fill(10), 900, 1000];

    const summary = summarize(samples);

    expect(summary).toMatchObject({ p50: 10, p95: 10, p99: 900, max: 1000 });
  });

  it('leaves out samples that are not finite numbers', () => {
    expect(summarize([5, NaN, Infinity, 15])).toMatchObject({ count: 2, min: 5, max: 15, mean: 10 });
  });

  it('is null without samples', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([NaN])).toBeNull();
  });
});
