import { BENCH_DEFAULTS, BenchUsageError, parseBenchOptions } from './bench-options';

describe('parseBenchOptions', () => {
  it('runs the full benchmark on PostgreSQL without options', () => {
    expect(parseBenchOptions([])).toEqual(BENCH_DEFAULTS);
    expect(BENCH_DEFAULTS).toMatchObject({ messages: 50_000, messageBytes: 1_024, latencyRate: 1_000 });
  });

  it('takes --name value and --name=value alike', () => {
    expect(parseBenchOptions(['--messages', '5000', '--database=sqlite', '--profile'])).toMatchObject({
      messages: 5_000,
      database: 'sqlite',
      profile: true,
    });
  });

  it('runs only the runs named by --runs, in their fixed order', () => {
    expect(parseBenchOptions(['--runs', 'latency,downstream'])).toMatchObject({
      runs: ['downstream', 'latency'],
    });
  });

  it('measures only the raw limits with --limits-only', () => {
    expect(parseBenchOptions(['--limits-only', '--messages', '2000'])).toMatchObject({
      limitsOnly: true,
      messages: 2_000,
    });
    expect(parseBenchOptions([])).toMatchObject({ limitsOnly: false });
  });

  it('collects --set settings per service', () => {
    expect(
      parseBenchOptions([
        '--set',
        'poller.POLL_BATCH_SIZE=500',
        '--set=poller.X_Y=a=b',
        '--set',
        'executor.Z=1',
      ]),
    ).toMatchObject({ settings: { poller: { POLL_BATCH_SIZE: '500', X_Y: 'a=b' }, executor: { Z: '1' } } });
  });

  it('runs the services with the deployed memory settings unless told not to', () => {
    expect(parseBenchOptions([])).toMatchObject({ heapCaps: true, allocatorEnv: true });
    expect(parseBenchOptions(['--no-heap-caps', '--no-allocator-env'])).toMatchObject({
      heapCaps: false,
      allocatorEnv: false,
    });
  });

  it('takes a results file to report from', () => {
    expect(parseBenchOptions(['--report-from', 'apps/bench/results/bench-results.json'])).toMatchObject({
      reportFrom: 'apps/bench/results/bench-results.json',
    });
    expect(parseBenchOptions([])).toMatchObject({ reportFrom: null });
  });

  it('answers help for --help', () => {
    expect(parseBenchOptions(['--help'])).toBe('help');
  });

  describe('when an option is wrong', () => {
    it.each([
      [['--messages', '0'], /--messages must be a whole number from 1/],
      [['--messages', '5e3x'], /--messages must be a whole number/],
      [['--latency-rate', '1.5'], /--latency-rate must be a whole number/],
      [['--database', 'oracle'], /--database must be postgres or sqlite/],
      [['--nope'], /Unknown option '--nope'/],
      [['--runs', 'downstream,warp'], /--runs takes some of downstream,latency.*unknown: warp/],
      [['--set', 'poller=1'], /--set takes service.NAME=VALUE/],
      [['--limits-only', '--runs', 'downstream'], /--limits-only runs none of the system runs/],
    ])('refuses %j, saying which option and why', (argv, message) => {
      expect(() => parseBenchOptions(argv)).toThrow(BenchUsageError);
      expect(() => parseBenchOptions(argv)).toThrow(message);
    });
  });
});
