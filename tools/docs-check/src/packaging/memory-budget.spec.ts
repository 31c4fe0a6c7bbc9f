import { maxOldSpaceMiB, memoryBudgetProblems, quantityMiB } from './memory-budget';

describe('memoryBudgetProblems', () => {
  const rss = { idleMiB: 180, peakMiB: 400 };
  const fits = { requestMiB: 288, limitMiB: 640, maxOldSpaceMiB: 320 };
  // Each case breaks one rule and keeps the others.

  it('passes a budget with headroom over the peak, room for the load in the heap and room beside it', () => {
    expect(memoryBudgetProblems(rss, fits)).toEqual([]);
  });

  it.each([
    [
      'a limit below the peak with headroom',
      { limitMiB: 496, maxOldSpaceMiB: 240 },
      /the limit of 496 MiB is below 1.25 × the peak RSS of 400 MiB/,
    ],
    [
      'a request below the idle RSS',
      { requestMiB: 128 },
      /the request of 128 MiB is below the idle RSS of 180 MiB/,
    ],
    ['no heap cap', { maxOldSpaceMiB: undefined }, /no --max-old-space-size/],
    [
      'a heap cap below what the load added',
      { maxOldSpaceMiB: 200 },
      /below what the load added to the idle RSS \(220 MiB\)/,
    ],
    [
      'a heap cap that leaves no room beside it',
      { maxOldSpaceMiB: 448 },
      /leaves 192 MiB under the limit, below the idle RSS plus a young generation \(244 MiB\)/,
    ],
  ])('refuses %s', (_what, change, problem) => {
    const problems = memoryBudgetProblems(rss, { ...fits, ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

describe('quantityMiB and maxOldSpaceMiB', () => {
  it('read what the manifests write', () => {
    expect(quantityMiB('640Mi')).toBe(640);
    expect(quantityMiB('1Gi')).toBe(1024);
    expect(quantityMiB('1048576')).toBe(1);
    expect(() => quantityMiB('640MiB')).toThrow('unreadable memory quantity 640MiB');
    expect(maxOldSpaceMiB('--enable-source-maps --max-old-space-size=320')).toBe(320);
    expect(maxOldSpaceMiB('--max-semi-space-size=16')).toBeUndefined();
    expect(maxOldSpaceMiB(undefined)).toBeUndefined();
  });
});
