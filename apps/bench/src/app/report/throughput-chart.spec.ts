import { niceCeiling, renderThroughputChart } from './throughput-chart';

describe('niceCeiling', () => {
  it('rounds an axis maximum up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(7_300)).toBe(10_000);
    expect(niceCeiling(1_200)).toBe(2_000);
    expect(niceCeiling(4_999)).toBe(5_000);
    expect(niceCeiling(5_000)).toBe(5_000);
    expect(niceCeiling(0)).toBe(1);
  });
});

describe('renderThroughputChart', () => {
  const chart = renderThroughputChart({
    title: 'Downstream <50,000> messages',
    yLabel: 'msg/s',
    series: [
      { name: 'succeeded', color: '#1f77b4', values: [0, 1_000, 4_000, 3_000] },
      { name: 'received', color: '#ff7f0e', values: [5_000, 2_000] },
    ],
    levels: [{ name: 'bar 5,000 msg/s', color: '#d62728', value: 5_000 }],
  });

  it('is one SVG document', () => {
    expect(chart.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(chart.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('draws one point per second for each series', () => {
    const polylines = [...chart.matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) => m[1]?.split(' '));

    expect(polylines.map((p) => p?.length)).toEqual([4, 2]);
  });

  it('draws the reference levels dashed, and names everything in the legend', () => {
    expect(chart).toMatch(/stroke="#d62728" stroke-dasharray="6 4"/);
    expect(chart).toContain('>succeeded</text>');
    expect(chart).toContain('>bar 5,000 msg/s</text>');
  });

  it('escapes text', () => {
    expect(chart).toContain('Downstream &lt;50,000&gt; messages');
  });

  it('names a level far above the data in the legend instead of flattening every line under it', () => {
    const svg = renderThroughputChart({
      title: 't',
      yLabel: 'y',
      series: [{ name: 'succeeded', color: '#1f77b4', values: [1_000, 2_000] }],
      levels: [
        { name: 'raw Kafka producer 20,000/s', color: '#2ca02c', value: 20_000 },
        { name: 'bar 5,000 msg/s', color: '#d62728', value: 5_000 },
      ],
    });

    expect(svg).not.toMatch(/stroke="#2ca02c" stroke-dasharray/);
    expect(svg).toContain('raw Kafka producer 20,000/s (above the scale)');
    expect(svg).toMatch(/stroke="#d62728" stroke-dasharray="6 4"/);
  });

  it('copes with no data at all', () => {
    expect(renderThroughputChart({ title: 't', yLabel: 'y', series: [] })).toContain('</svg>');
  });
});
