import { histogramDelta, histogramOfExposition, histogramQuantileBound } from './prometheus-histogram';

const exposition = (counts: [number, number, number], sum: number) =>
  [
    '# HELP smartlink_retry_lateness_seconds How late a due retry was claimed, after its DATATENTATIVAEXEC',
    '# TYPE smartlink_retry_lateness_seconds histogram',
    `smartlink_retry_lateness_seconds_bucket{le="0.1",service="retry-scheduler"} ${counts[0]}`,
    `smartlink_retry_lateness_seconds_bucket{le="1",service="retry-scheduler"} ${counts[1]}`,
    `smartlink_retry_lateness_seconds_bucket{le="+Inf",service="retry-scheduler"} ${counts[2]}`,
    `smartlink_retry_lateness_seconds_sum{service="retry-scheduler"} ${sum}`,
    `smartlink_retry_lateness_seconds_count{service="retry-scheduler"} ${counts[2]}`,
    'smartlink_retries_due_total{service="retry-scheduler"} 12',
  ].join('\n');

describe('histogramOfExposition', () => {
  it('reads the cumulative buckets, sum and count of one histogram', () => {
    expect(histogramOfExposition(exposition([3, 9, 10], 4.5), 'smartlink_retry_lateness_seconds')).toEqual({
      buckets: [
        { le: 0.1, count: 3 },
        { le: 1, count: 9 },
        { le: Infinity, count: 10 },
      ],
      sum: 4.5,
      count: 10,
    });
  });

  it('is null when the histogram is not there', () => {
    expect(
      histogramOfExposition('process_resident_memory_bytes 1\n', 'smartlink_retry_lateness_seconds'),
    ).toBeNull();
  });
});

describe('histogramDelta', () => {
  const name = 'smartlink_retry_lateness_seconds';
  const read = (text: string) => {
    const histogram = histogramOfExposition(text, name);
    if (histogram === null) throw new Error('no histogram in the exposition');
    return histogram;
  };
  const first = read(exposition([3, 9, 10], 4.5));
  const later = read(exposition([5, 15, 20], 10));

  it('is what was observed between the scrapes', () => {
    expect(histogramDelta(first, later)).toEqual({
      buckets: [
        { le: 0.1, count: 2 },
        { le: 1, count: 6 },
        { le: Infinity, count: 10 },
      ],
      sum: 5.5,
      count: 10,
    });
  });

  it('takes the whole later scrape when the service restarted in between', () => {
    expect(histogramDelta(later, first)).toBe(first);
  });
});

describe('histogramQuantileBound', () => {
  const histogram = {
    buckets: [
      { le: 0.1, count: 90 },
      { le: 1, count: 99 },
      { le: Infinity, count: 100 },
    ],
    sum: 10,
    count: 100,
  };

  it('is the upper bound of the bucket the quantile falls in', () => {
    expect(histogramQuantileBound(histogram, 0.5)).toBe(0.1);
    expect(histogramQuantileBound(histogram, 0.99)).toBe(1);
    expect(histogramQuantileBound(histogram, 1)).toBe(Infinity);
  });

  it('is null for no observations', () => {
    expect(
      histogramQuantileBound({ buckets: [{ le: Infinity, count: 0 }], sum: 0, count: 0 }, 0.99),
    ).toBeNull();
  });
});
