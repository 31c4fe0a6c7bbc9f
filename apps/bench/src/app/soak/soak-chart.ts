import { renderThroughputChart, type ChartSeries } from '../report/throughput-chart';
import type { SoakResult } from './soak-runner';
import type { SoakSample } from './soak-sample';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const MB = 1024 * 1024;

/**
 * The soak's chart: one panel per kind of series (RSS, heap, lag, retry lateness, the RM tables, throughput) over
 * minutes of the run, every kill a dotted vertical line. Each panel is the bench's own line chart; panels are stacked
 * as nested <svg> elements in one self-contained file (no chart library).
 */
export function renderSoakChart(result: SoakResult): string {
  const { samples } = result;
  const span =
    samples.length > 1 ? (samples[samples.length - 1] as SoakSample).t - (samples[0] as SoakSample).t : 0;
  const xStep = samples.length > 1 ? span / (samples.length - 1) / 60 : result.settings.sampleSeconds / 60;
  const of = (read: (s: SoakSample) => number | null | undefined) => samples.map((s) => read(s) ?? NaN);
  const coloured = (series: Array<{ name: string; values: number[] }>): ChartSeries[] =>
    series.map((s, i) => ({ ...s, color: COLORS[i % COLORS.length] as string }));
  const marks = result.kills.map((k) => ({ x: k.t / 60, label: `kill ${k.service}` }));
  const panels = [
    {
      title: 'RSS per process (MB)',
      yLabel: 'MB',
      series: coloured(result.services.map((name) => ({ name, values: of((s) => s.services[name]?.rssMb) }))),
    },
    {
      title: 'V8 heap in use per service (MB, from /metrics)',
      yLabel: 'MB',
      series: coloured(
        result.services
          .filter((name) => samples.some((s) => s.services[name]?.heapMb != null))
          .map((name) => ({ name, values: of((s) => s.services[name]?.heapMb) })),
      ),
    },
    {
      title: 'Consumer lag per group (records)',
      yLabel: 'records',
      series: coloured(
        result.groups.map((group) => ({
          name: group.slice(group.indexOf('.') + 1),
          values: of((s) => s.lag[group]),
        })),
      ),
    },
    {
      title: 'Retry lateness per interval: claim − DATATENTATIVAEXEC (s)',
      yLabel: 's',
      series: coloured([
        { name: 'mean', values: of((s) => s.retries?.meanS) },
        { name: 'p99 (bucket upper bound)', values: of((s) => s.retries?.p99BoundS) },
      ]),
    },
    {
      title: 'GTOTVSLINKMESSAGE rows',
      yLabel: 'rows',
      series: coloured([
        { name: 'rows', values: of((s) => s.tables?.messageRows) },
        { name: 'dead rows not vacuumed (n_dead_tup)', values: of((s) => s.tables?.messageDeadRows) },
      ]),
    },
    {
      title: 'GTOTVSLINKMESSAGE pg_total_relation_size (MB)',
      yLabel: 'MB',
      series: coloured([{ name: 'size', values: of((s) => (s.tables ? s.tables.messageBytes / MB : null)) }]),
    },
    {
      title: 'History tables (thousands of rows)',
      yLabel: 'thousand rows',
      series: coloured([
        { name: 'GTOTVSLINKMESSAGEEXEC', values: of((s) => (s.tables ? s.tables.execRows / 1000 : null)) },
        { name: 'GTOTVSLINKLOG', values: of((s) => (s.tables ? s.tables.logRows / 1000 : null)) },
      ]),
    },
    {
      title: 'Throughput per interval (per second)',
      yLabel: 'per second',
      series: coloured([
        { name: 'cloud acks', values: of((s) => s.ackedPerS) },
        { name: 'attempts recorded (GTOTVSLINKMESSAGEEXEC rows)', values: of((s) => s.attemptsPerS) },
      ]),
      levels: [{ name: `offered ${result.settings.rate}/s`, color: '#d62728', value: result.settings.rate }],
    },
  ];
  const width = 900;
  let offset = 0;
  const parts: string[] = [];
  for (const panel of panels) {
    const svg = renderThroughputChart({
      ...panel,
      xLabel: 'minutes since the load started',
      xStep,
      marks,
      width,
      height: 340,
    });
    const height = Number(/height="(\d+(?:\.\d+)?)"/.exec(svg)?.[1] ?? 340);
    parts.push(svg.replace('<svg ', `<svg y="${offset}" `).trimEnd());
    offset += height;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${offset}" viewBox="0 0 ${width} ${offset}">`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
