/** The summary line of Kafka's `kafka-producer-perf-test` (org.apache.kafka.tools.ProducerPerformance). */
export interface ProducerPerfReport {
  readonly records: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly p50LatencyMs: number;
  readonly p95LatencyMs: number;
  readonly p99LatencyMs: number;
}

// "50000 records sent, 51234.5 records/sec (50.03 MB/sec), 12.30 ms avg latency, 345.00 ms max latency, 10 ms 50th,
// 30 ms 95th, 40 ms 99th, 50 ms 99.9th." The tool also prints interim lines without percentiles; those don't match.
const SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/;

/** Reads the final summary line from the tool's stdout; null if there is none (the run failed or was cut short). */
export function parseProducerPerfReport(stdout: string): ProducerPerfReport | null {
  const lines = stdout.split('\n').filter((line) => SUMMARY.test(line));
  const match = SUMMARY.exec(lines[lines.length - 1] ?? '');
  if (!match) return null;
  const n = (i: number) => Number(match[i]);
  return {
    records: n(1),
    recordsPerSec: n(2),
    mbPerSec: n(3),
    avgLatencyMs: n(4),
    maxLatencyMs: n(5),
    p50LatencyMs: n(6),
    p95LatencyMs: n(7),
    p99LatencyMs: n(8),
  };
}
