import { runDirectoryName } from './run-directory';

describe('runDirectoryName', () => {
  it('is the start in ISO 8601 basic format, UTC, to the second, then the commit', () => {
    expect(runDirectoryName('2026-12-07T01:20:07.381Z', 'b5c64c9')).toBe('20261207T012007Z-b5c64c9');
    expect(runDirectoryName('2026-12-07T03:20:07.999+02:00', 'abc1234-dirty')).toBe(
      '20261207T012007Z-abc1234-dirty',
    );
  });

  it('says unknown for a run that did not record its commit, and refuses a start that is not an instant', () => {
    expect(runDirectoryName('2026-11-28T13:10:21.990Z', undefined)).toBe('20261128T131021Z-unknown');
    expect(() => runDirectoryName('yesterday', 'abc1234')).toThrow(RangeError);
  });
});
