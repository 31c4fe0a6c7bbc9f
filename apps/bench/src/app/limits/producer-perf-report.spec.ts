import { parseProducerPerfReport } from './producer-perf-report';

describe('parseProducerPerfReport', () => {
  it('reads the summary line of kafka-producer-perf-test', () => {
    const stdout = [
      '24990 records sent, 4997.0 records/sec (4.88 MB/sec), 981.2 ms avg latency, 1468.0 ms max latency.',
      '50000 records sent, 5186.2 records/sec (5.06 MB/sec), 976.23 ms avg latency, 1968.00 ms max latency, ' +
        '976 ms 50th, 1776 ms 95th, 1822 ms 99th, 1843 ms 99.9th.',
      '',
    ].join('\n');

    expect(parseProducerPerfReport(stdout)).toEqual({
      records: 50_000,
      recordsPerSec: 5186.2,
      mbPerSec: 5.06,
      avgLatencyMs: 976.23,
      maxLatencyMs: 1968,
      p50LatencyMs: 976,
      p95LatencyMs: 1776,
      p99LatencyMs: 1822,
    });
  });

  it('ignores the interim lines, which carry no percentiles', () => {
    expect(
      parseProducerPerfReport(
        '24990 records sent, 4997.0 records/sec (4.88 MB/sec), 981.2 ms avg latency, 1468.0 ms max latency.\n',
      ),
    ).toBeNull();
  });

  it('is null for output without a summary', () => {
    expect(parseProducerPerfReport('')).toBeNull();
    expect(parseProducerPerfReport('org.apache.kafka.common.errors.TimeoutException: ...')).toBeNull();
  });
});
