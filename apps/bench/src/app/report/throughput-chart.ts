/** A line of the chart: one value per step of the x axis (a second unless `xStep` says otherwise); NaN is a gap. */
export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** A horizontal reference line, e.g. the raw Kafka rate or a design bar. */
export interface ChartLevel {
  readonly name: string;
  readonly color: string;
  readonly value: number;
}

/** A vertical line at one x value (in x-axis units), e.g. a service killed. */
export interface ChartMark {
  readonly x: number;
  readonly label: string;
}

export interface ChartInput {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly levels?: readonly ChartLevel[];
  /** What the x axis counts; default seconds since the first get. */
  readonly xLabel?: string;
  /** The x value of each step of a series (value i is at i × xStep); default 1. */
  readonly xStep?: number;
  readonly marks?: readonly ChartMark[];
  readonly width?: number;
  readonly height?: number;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round axis maximum at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/**
 * A self-contained SVG line chart of per-second series over time, with horizontal reference levels and a legend;
 * plain text, so it renders on GitHub and diffs in review.
 */
export function renderThroughputChart(input: ChartInput): string {
  const width = input.width ?? 760;
  const levels = input.levels ?? [];
  const legend = [
    ...input.series.map((s) => ({ name: s.name, color: s.color, dashed: false })),
    ...levels.map((l) => ({ name: l.name, color: l.color, dashed: true })),
  ];
  const legendRows = Math.ceil(legend.length / 2);
  const plotH = (input.height ?? 420) - 36 - 52 - legendRows * 18;
  const m = { left: 64, right: 16, top: 36, bottom: 52 + legendRows * 18 };
  const height = m.top + plotH + m.bottom;
  const plotW = width - m.left - m.right;
  const seconds = Math.max(1, ...input.series.map((s) => s.values.length));
  const xStep = input.xStep ?? 1;
  const dataMax = Math.max(0, ...input.series.flatMap((s) => s.values.filter(Number.isFinite)));
  // A level far above the data (the raw Kafka rate) would flatten every line: it is named in the legend instead.
  const shown = levels.filter((l) => l.value <= Math.max(dataMax, 1) * 3);
  const top = niceCeiling(Math.max(dataMax, ...shown.map((l) => l.value)));
  const x = (i: number) => m.left + (seconds <= 1 ? 0 : (i / (seconds - 1)) * plotW);
  const y = (v: number) => m.top + plotH - (Math.min(v, top) / top) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escape(input.title)}</text>`,
  ];
  for (let k = 0; k <= 4; k += 1) {
    const v = (top * k) / 4;
    parts.push(
      `<line x1="${m.left}" y1="${y(v).toFixed(1)}" x2="${m.left + plotW}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v).toLocaleString('en-US')}</text>`,
    );
  }
  const tickEvery = Math.max(1, Math.ceil(seconds / 10));
  for (let i = 0; i < seconds; i += tickEvery) {
    const label = Math.round(i * xStep * 100) / 100;
    parts.push(`<text x="${x(i).toFixed(1)}" y="${m.top + plotH + 16}" text-anchor="middle">${label}</text>`);
  }
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 34}" text-anchor="middle">${escape(input.xLabel ?? 'seconds since the first get')}</text>`,
    `<text x="14" y="${m.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.top + plotH / 2})">${escape(input.yLabel)}</text>`,
    `<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" stroke="#333"/>`,
  );
  for (const level of shown) {
    parts.push(
      `<line x1="${m.left}" y1="${y(level.value).toFixed(1)}" x2="${m.left + plotW}" y2="${y(level.value).toFixed(1)}" stroke="${level.color}" stroke-dasharray="6 4"/>`,
    );
  }
  for (const mark of input.marks ?? []) {
    const mx = x(mark.x / xStep).toFixed(1);
    parts.push(
      `<line x1="${mx}" y1="${m.top}" x2="${mx}" y2="${m.top + plotH}" stroke="#999" stroke-dasharray="2 3"><title>${escape(mark.label)}</title></line>`,
      `<text x="${mx}" y="${m.top - 3}" text-anchor="middle" font-size="10" fill="#666">${escape(mark.label)}</text>`,
    );
  }
  for (const series of input.series) {
    // A missing value (NaN) breaks the line, so a gap is not drawn as a slope.
    const runs: string[][] = [[]];
    series.values.forEach((v, i) => {
      if (Number.isFinite(v))
        (runs[runs.length - 1] as string[]).push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      else if ((runs[runs.length - 1] as string[]).length > 0) runs.push([]);
    });
    for (const points of runs.filter((r) => r.length > 0)) {
      parts.push(
        `<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${points.join(' ')}"><title>${escape(series.name)}</title></polyline>`,
      );
    }
  }
  legend.forEach((entry, i) => {
    const lx = m.left + (i % 2) * (plotW / 2);
    const ly = m.top + plotH + 56 + Math.floor(i / 2) * 18;
    const offScale = entry.dashed && !shown.some((l) => l.name === entry.name);
    parts.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 22}" y2="${ly - 4}" stroke="${entry.color}" stroke-width="2"${entry.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 28}" y="${ly}">${escape(entry.name)}${offScale ? ' (above the scale)' : ''}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
