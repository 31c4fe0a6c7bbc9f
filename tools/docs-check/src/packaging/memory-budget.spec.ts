import { maxOldSpaceMiB, maxSemiSpaceMiB, memoryBudgetProblems, quantityMiB } from './memory-budget';

describe('memoryBudgetProblems', () => {
  const rss = { idleMiB: 180, peakMiB: 400, heapMiB: 100 };
  const fits = { requestMiB: 288, limitMiB: 640, maxOldSpaceMiB: 320, maxSemiSpaceMiB: 16 };
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
    ['no young generation cap', { maxSemiSpaceMiB: undefined }, /no --max-semi-space-size/],
    [
      'a young generation over what the rule leaves for it',
      { maxSemiSpaceMiB: 32 },
      /--max-semi-space-size=32 makes a young generation of 96 MiB, over the 64 MiB/,
    ],
    [
      'a heap cap below what the load added',
      { maxOldSpaceMiB: 200 },
      /below what the load added to the idle RSS \(220 MiB\)/,
    ],
    [
      'a heap cap too close to the heap in use',
      { requestMiB: 288, limitMiB: 640, maxOldSpaceMiB: 320 },
      /below 2 × the heap in use under load \(170 MiB\)/,
      { heapMiB: 170 },
    ],
    [
      'a heap cap below the floor',
      { maxOldSpaceMiB: 120 },
      /below 128 MiB, where V8 collects without end/,
      { idleMiB: 60, peakMiB: 100, heapMiB: 40 },
    ],
    [
      'a heap cap that leaves no room beside it',
      { maxOldSpaceMiB: 448 },
      /leaves 192 MiB under the limit, below the idle RSS plus a young generation \(244 MiB\)/,
    ],
  ] as [string, object, RegExp, object?][])('refuses %s', (_what, change, problem, measured = {}) => {
    const problems = memoryBudgetProblems({ ...rss, ...measured }, { ...fits, ...change });
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
    expect(maxSemiSpaceMiB('--max-old-space-size=320 --max-semi-space-size=16')).toBe(16);
    expect(maxSemiSpaceMiB('--max-old-space-size=320')).toBeUndefined();
  });
});
