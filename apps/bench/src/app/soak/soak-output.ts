import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSoakChart } from './soak-chart';
import { renderSoakReport } from './soak-report';
import type { SoakResult } from './soak-runner';

/** The files a soak run writes into its results directory. */
export const SOAK_FILES = {
  json: 'soak-samples.json',
  csv: 'soak-samples.csv',
  chart: 'soak.svg',
  report: 'REPORT.md',
} as const;

/** One row per reading: time, throughput, tables, retries, then RSS and heap per service and lag per group. */
export function soakCsv(result: SoakResult): string {
  const header = [
    't_s',
    'at',
    'load1m',
    'offered',
    'acked',
    'acked_per_s',
    'attempts_per_s',
    'message_rows',
    'message_bytes',
    'message_dead_rows',
    'exec_rows',
    'log_rows',
    'retries',
    'retry_lateness_mean_s',
    'retry_lateness_p99_bound_s',
    ...result.services.flatMap((n) => [`${n}_life`, `${n}_rss_mb`, `${n}_heap_mb`, `${n}_external_mb`]),
    ...result.groups.map((g) => `lag_${g.slice(g.indexOf('.') + 1)}`),
  ];
  const cell = (v: number | string | null | undefined) =>
    v === null || v === undefined ? '' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : v;
  const rows = result.samples.map((s) =>
    [
      s.t,
      s.at,
      s.load1m,
      s.offered,
      s.acked,
      s.ackedPerS,
      s.attemptsPerS,
      s.tables?.messageRows,
      s.tables?.messageBytes,
      s.tables?.messageDeadRows,
      s.tables?.execRows,
      s.tables?.logRows,
      s.retries?.count,
      s.retries?.meanS,
      s.retries?.p99BoundS,
      ...result.services.flatMap((n) => [
        s.services[n]?.life,
        s.services[n]?.rssMb,
        s.services[n]?.heapMb,
        s.services[n]?.externalMb,
      ]),
      ...result.groups.map((g) => s.lag[g]),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** Writes the raw readings (JSON, CSV), the chart and the report; returns their paths. */
export function writeSoakOutput(result: SoakResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = {
    json: join(dir, SOAK_FILES.json),
    csv: join(dir, SOAK_FILES.csv),
    chart: join(dir, SOAK_FILES.chart),
    report: join(dir, SOAK_FILES.report),
  };
  writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(files.csv, soakCsv(result));
  writeFileSync(files.chart, renderSoakChart(result));
  writeFileSync(files.report, renderSoakReport(result, SOAK_FILES));
  return Object.values(files);
}
