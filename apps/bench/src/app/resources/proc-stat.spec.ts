import { cpuPercent, cpuTicksOfStat, rssBytesOfStatus } from './proc-stat';

describe('cpuTicksOfStat', () => {
  it('adds utime and stime, counting fields after the command name', () => {
    const stat =
      '4242 (node) S 1 4242 4242 0 -1 4194560 21519 0 0 0 1234 567 0 0 20 0 11 0 3169 1166880768 30000 ' +
      '18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0';

    expect(cpuTicksOfStat(stat)).toBe(1234 + 567);
  });

  it('copes with spaces and parentheses in the command name', () => {
    const stat = '77 (my (odd) name) R 1 77 77 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 1 1 1';

    expect(cpuTicksOfStat(stat)).toBe(15);
  });

  it('refuses text that is not a stat line', () => {
    expect(() => cpuTicksOfStat('garbage')).toThrow('unreadable');
  });
});

describe('rssBytesOfStatus', () => {
  it('reads VmRSS in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmRSS:\t   81236 kB\nRssAnon:\t 5 kB\n';

    expect(rssBytesOfStatus(status)).toBe(81_236 * 1024);
  });

  it('refuses a status without VmRSS (a zombie has none)', () => {
    expect(() => rssBytesOfStatus('Name:\tnode\nState:\tZ (zombie)\n')).toThrow('VmRSS');
  });
});

describe('cpuPercent', () => {
  it('is the CPU time used over the wall time, as a percentage of one core', () => {
    expect(cpuPercent({ cpuTicks: 100, rssBytes: 0 }, { cpuTicks: 250, rssBytes: 0 }, 1_000, 100)).toBe(150);
    expect(cpuPercent({ cpuTicks: 0, rssBytes: 0 }, { cpuTicks: 50, rssBytes: 0 }, 2_000, 100)).toBe(25);
  });

  it('is 0 for an empty interval', () => {
    expect(cpuPercent({ cpuTicks: 0, rssBytes: 0 }, { cpuTicks: 5, rssBytes: 0 }, 0, 100)).toBe(0);
  });
});
