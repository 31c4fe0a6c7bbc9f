import { BenchUsageError } from '../options/bench-options';
import { parseSoakOptions, SOAK_DEFAULTS } from './soak-options';

describe('parseSoakOptions', () => {
  it('runs 30 minutes at 300 msg/s with a kill every 5 minutes by default', () => {
    expect(parseSoakOptions([])).toEqual(SOAK_DEFAULTS);
    expect(SOAK_DEFAULTS).toMatchObject({ minutes: 30, rate: 300, killEveryMinutes: 5, heapCaps: true });
  });

  it('reads every option', () => {
    expect(
      parseSoakOptions([
        '--minutes',
        '3',
        '--rate=50',
        '--failing-share',
        '0.25',
        '--fault-probability',
        '0',
        '--kill-every-minutes',
        '0',
        '--no-heap-caps',
        '--out',
        '.local/soak',
      ]),
    ).toMatchObject({
      minutes: 3,
      rate: 50,
      failingShare: 0.25,
      faultProbability: 0,
      killEveryMinutes: 0,
      heapCaps: false,
      outDir: '.local/soak',
    });
  });

  it('says which option is wrong', () => {
    expect(() => parseSoakOptions(['--minutes', '2.5'])).toThrow('--minutes must be a whole number from 1');
    expect(() => parseSoakOptions(['--failing-share', '1.5'])).toThrow(
      '--failing-share must be a number from 0 to 1',
    );
    expect(() => parseSoakOptions(['--failing-share', ''])).toThrow(BenchUsageError);
    expect(() => parseSoakOptions(['--messages', '5'])).toThrow(BenchUsageError);
  });

  it('answers --help', () => {
    expect(parseSoakOptions(['--help'])).toBe('help');
  });
});
