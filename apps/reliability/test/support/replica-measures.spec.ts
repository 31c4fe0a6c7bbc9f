import { leaseIntervals, longestFlat, percentile, takeover, tokenRuns } from './replica-measures';

const at = (s: number) => s * 1_000;
const series = (...values: number[]) => values.map((value, i) => ({ at: at(i), value }));

describe('longestFlat', () => {
  it('measures from the kill to the first increase when the counter stops at the kill', () => {
    // counter moves every second until 3 s, stands still until 9 s
    const samples = series(0, 1, 2, 3, 3, 3, 3, 3, 3, 4, 5);
    expect(longestFlat(samples, at(3), at(10))).toEqual({ from: at(3), to: at(9), open: false });
  });

  it('finds a stall that starts some time after the kill', () => {
    const samples = series(0, 1, 2, 3, 4, 4, 4, 5, 6);
    expect(longestFlat(samples, at(1), at(8))).toEqual({ from: at(4), to: at(7), open: false });
  });

  it('reports a stall still going at the end of the window as open', () => {
    const samples = series(0, 1, 2, 2, 2, 2);
    expect(longestFlat(samples, at(1), at(5))).toEqual({ from: at(2), to: at(5), open: true });
  });

  it('counts no more than the window allows', () => {
    const samples = series(0, 0, 0, 0, 0, 1);
    expect(longestFlat(samples, at(2), at(4))).toEqual({ from: at(2), to: at(4), open: false });
  });

  it('is one sampling interval when the counter moves at every sample', () => {
    expect(longestFlat(series(0, 1, 2, 3, 4), at(1), at(4))).toEqual({ from: at(1), to: at(2), open: false });
  });
});

describe('tokenRuns', () => {
  it('gives each token one run when the queue changed hands once', () => {
    const runs = tokenRuns([
      { tokenId: 'a', at: 1 },
      { tokenId: 'a', at: 2 },
      { tokenId: 'b', at: 5 },
    ]);
    expect(runs).toEqual([
      { tokenId: 'a', from: 1, to: 2, gets: 2 },
      { tokenId: 'b', from: 5, to: 5, gets: 1 },
    ]);
  });

  it('shows interleaved gets of two tokens as several runs of each, in time order', () => {
    const runs = tokenRuns([
      { tokenId: 'b', at: 2 },
      { tokenId: 'a', at: 1 },
      { tokenId: 'a', at: 3 },
    ]);
    expect(runs.map((r) => r.tokenId)).toEqual(['a', 'b', 'a']);
  });
});

describe('takeover', () => {
  const gets = [
    { tokenId: 'dead', at: 100 },
    { tokenId: 'dead', at: 200 },
    { tokenId: 'dead', at: 210 },
    { tokenId: 'standby', at: 9_000 },
  ];

  it('is the first get after the death by another token', () => {
    expect(takeover(gets, 205)).toEqual({ at: 9_000, tokenId: 'standby' });
  });

  it('ignores a get of the dead poller answered just after the kill', () => {
    expect(takeover(gets, 205)?.tokenId).toBe('standby');
  });

  it('is null when no other token got anything', () => {
    expect(takeover(gets.slice(0, 3), 205)).toBeNull();
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 100)).toBe(5);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('leaseIntervals', () => {
  it('holds from taken to lost, and from a later taken to the death', () => {
    const lines = [
      { at: 1, message: 'Lease smartlink.poller taken: this instance is active' },
      { at: 4, message: 'Lease smartlink.poller released or lost: this instance is not active' },
      { at: 6, message: 'something else' },
      { at: 7, message: 'Lease smartlink.poller taken: this instance is active' },
    ];
    expect(leaseIntervals(lines, 10)).toEqual([
      { from: 1, to: 4 },
      { from: 7, to: 10 },
    ]);
  });

  it('holds nothing when the lease was never taken', () => {
    expect(leaseIntervals([{ at: 1, message: 'Poller started' }], 5)).toEqual([]);
  });
});
