import type { SoakSample } from './soak-sample';
import { judgeSeries, soakSeries } from './soak-trends';

/** A reading at `t` with the executor's RSS, its life, and GTOTVSLINKMESSAGE's row count. */
const sample = (t: number, rssMb: number, life: number, messageRows: number): SoakSample => ({
  t,
  at: new Date(t * 1000).toISOString(),
  services: { executor: { pid: 10 + life, life, rssMb, heapMb: 50 } },
  lag: { 'ns.log-writer': 0 },
  retries: { count: 10, meanS: 0.2, p99BoundS: 0.5, p99BeyondLastBucket: false },
  tables: { messageRows, messageBytes: 1024 * 1024, execRows: t * 10, logRows: t * 20 },
  offered: t * 10,
  acked: t * 10,
  sent: 0,
  ackedPerS: 10,
  attemptsPerS: 10,
  load1m: 1,
});

describe('judgeSeries', () => {
  const series = soakSeries(['executor'], ['ns.log-writer'], 10);
  const verdict = (samples: SoakSample[], key: string, kills = [] as Array<{ service: string; t: number }>) =>
    judgeSeries(
      series,
      samples,
      kills.map((k) => ({ ...k, pid: 1, restartS: 5 })),
      { warmUpS: 60, afterKillS: 60, endS: 3_600 },
    ).find((v) => v.key === key);

  it('finds a leak: RSS growing 60 MB an hour', () => {
    const samples = Array.from({ length: 180 }, (_, i) => sample(i * 10, 200 + (i * 10) / 60, 0, 100));

    expect(verdict(samples, 'rss:executor')).toMatchObject({ verdict: 'trends' });
    expect(verdict(samples, 'rss:executor')?.trend?.slopePerHour).toBeCloseTo(60);
  });

  it('calls a slope beyond the threshold unclear when its interval takes in 0', () => {
    const samples = Array.from({ length: 60 }, (_, i) =>
      sample(i * 10, 200 + (i % 2 === 0 ? 0 : 100) + (i > 55 ? 60 : 0), 0, 100),
    );

    expect(verdict(samples, 'rss:executor')?.verdict).toBe('unclear');
  });

  it('takes a restart for a step, not a trend, and leaves out the minute after the kill', () => {
    const samples = Array.from({ length: 180 }, (_, i) =>
      i < 90 ? sample(i * 10, 300, 0, 100) : sample(i * 10, i < 96 ? 400 : 150, 1, 100),
    );

    expect(verdict(samples, 'rss:executor', [{ service: 'executor', t: 900 }])).toMatchObject({
      verdict: 'flat',
    });
  });

  it('leaves out the warm-up of a restarted process as well', () => {
    // the new executor climbs from 150 to 250 MB over its first 100 s, longer than the stretch left out after a kill
    const samples = Array.from({ length: 180 }, (_, i) =>
      i < 90 ? sample(i * 10, 300, 0, 100) : sample(i * 10, Math.min(250, 150 + (i - 90) * 10), 1, 100),
    );
    const judge = (killed: string) =>
      judgeSeries(series, samples, [{ service: killed, t: 900, pid: 1, restartS: 5 }], {
        warmUpS: 120,
        afterKillS: 30,
        endS: 3_600,
      }).find((v) => v.key === 'rss:executor');

    expect(judge('executor')?.trend?.slopePerHour).toBeCloseTo(0);
    // had another service been the one restarted, the executor's climb would count
    expect(judge('poller')?.trend?.slopePerHour).toBeGreaterThan(20);
  });

  it('ignores the warm-up', () => {
    const samples = Array.from({ length: 60 }, (_, i) => sample(i * 10, i < 6 ? i * 100 : 600, 0, 100));

    expect(verdict(samples, 'rss:executor')?.trend?.slopePerHour).toBeCloseTo(0);
  });

  it('sees GTOTVSLINKMESSAGE filling up', () => {
    const samples = Array.from({ length: 60 }, (_, i) => sample(i * 10, 200, 0, 100 + i * 10));

    expect(verdict(samples, 'table:message-rows')).toMatchObject({ verdict: 'trends' });
    expect(verdict(samples, 'table:exec-per-acked')).toMatchObject({ verdict: 'flat' });
  });
});
