import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './report/bench-result';
import { renderBenchReport } from './report/bench-report';
import { DESIGN_BARS } from './report/design-bars';
import { renderThroughputChart } from './report/throughput-chart';

/** The files a run writes into its results directory. */
export const BENCH_FILES = {
  json: 'bench-results.json',
  report: 'REPORT.md',
  chart: 'downstream-throughput.svg',
} as const;

/** Writes the JSON results, the markdown report and the chart; returns their paths. */
export function writeBenchOutput(result: BenchResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const kafkaRate = result.limits.kafka?.full.recordsPerSec;
  const perSecond = result.downstream?.perSecond;
  const chart = renderThroughputChart({
    title: `Downstream: ${result.settings.messages.toLocaleString('en-US')} messages of ${result.settings.messageBytes} B (${result.settings.database})`,
    yLabel: 'messages per second',
    series: [
      { name: 'received (poller → event log)', color: '#ff7f0e', values: perSecond?.received ?? [] },
      {
        name: 'dispatched (executor → command topic)',
        color: '#9467bd',
        values: perSecond?.dispatched ?? [],
      },
      { name: 'handled (segment handler started)', color: '#8c564b', values: perSecond?.handled ?? [] },
      { name: 'succeeded (segment → outcome)', color: '#1f77b4', values: perSecond?.succeeded ?? [] },
    ],
    levels: [
      ...(kafkaRate
        ? [
            {
              name: `raw Kafka producer ${Math.round(kafkaRate).toLocaleString('en-US')}/s`,
              color: '#2ca02c',
              value: kafkaRate,
            },
          ]
        : []),
      {
        name: `bar ${DESIGN_BARS.downstreamMsgPerSec.toLocaleString('en-US')} msg/s`,
        color: '#d62728',
        value: DESIGN_BARS.downstreamMsgPerSec,
      },
    ],
  });
  const files = {
    json: join(dir, BENCH_FILES.json),
    report: join(dir, BENCH_FILES.report),
    chart: join(dir, BENCH_FILES.chart),
  };
  writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(files.chart, chart);
  writeFileSync(files.report, renderBenchReport(result, BENCH_FILES.chart));
  return Object.values(files);
}
