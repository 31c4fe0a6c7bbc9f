import { renderSoakChart } from './soak-chart';
import { soakCsv } from './soak-output';
import { SOAK_DEFAULTS } from './soak-options';
import { renderSoakReport } from './soak-report';
import type { SoakResult } from './soak-runner';
import type { SoakSample } from './soak-sample';

const sample = (t: number, rssMb: number): SoakSample => ({
  t,
  at: new Date(t * 1000).toISOString(),
  services: { executor: { pid: 10, life: 0, rssMb, heapMb: 60 } },
  lag: { 'ns.log-writer': 5 },
  retries: { count: 3, meanS: 0.1, p99BoundS: 0.25, p99BeyondLastBucket: false },
  tables: {
    messageRows: 100,
    messageBytes: 2 * 1024 * 1024,
    execRows: t,
    logRows: 2 * t,
    messageDeadRows: 7,
  },
  offered: t * 10,
  acked: t * 10,
  sent: 0,
  ackedPerS: 10,
  attemptsPerS: 11,
  load1m: 3.5,
});

const result = (rssPerReading: number, vacuums: SoakResult['vacuums']): SoakResult => ({
  schema: 'smartlink-soak/v1',
  command: 'npm run bench -- soak --minutes 10',
  startedAt: '2026-12-07T00:00:00.000Z',
  finishedAt: '2026-12-07T00:12:00.000Z',
  machine: {
    cpus: 2,
    cpuModel: 'EPYC',
    memoryGb: 24,
    os: 'Linux',
    node: 'v26.10.0',
    kafka: '4.1.1',
    database: 'PostgreSQL 15',
  },
  loadBefore: [1, 1, 1],
  loadAfter: [2, 2, 2],
  settings: {
    ...SOAK_DEFAULTS,
    minutes: 10,
    warmUpMinutes: 1,
    heapCapsBy: { executor: '--max-old-space-size=416' },
    mallocEnv: { MALLOC_ARENA_MAX: '2' },
    faults: {},
    pingShare: 0.05,
  },
  loadEndS: 600,
  services: ['executor'],
  groups: ['ns.log-writer'],
  samples: Array.from({ length: 61 }, (_, i) => sample(i * 10, 200 + i * rssPerReading)),
  kills: [{ service: 'executor', t: 300, pid: 10, restartS: 12.5 }],
  serverAutovacuum: false,
  vacuums,
  end: { offered: 6_000, acked: 6_000, undoneRows: 0, drained: true },
  problems: [],
});

const files = { chart: 'soak.svg', json: 'soak-samples.json', csv: 'soak-samples.csv' };

describe('renderSoakReport', () => {
  it('gives the command, the machine and its load, the kills and a verdict per series', () => {
    const report = renderSoakReport(result(0, [{ t: 60, durationS: 0.4 }]), files);

    expect(report).toContain('`npm run bench -- soak --minutes 10`');
    expect(report).toContain('load average 1 / 1 / 1 before, 3.5–3.5 (mean 3.5) during');
    expect(report).toContain('| 1. executor | 5.0 min | 10 | 12.5 s |');
    expect(report).toMatch(/\| RSS executor \| 0\.0 MB \| ± 0\.0 \| < 20\.0 MB\/h \| \d+ \(1\) \| flat \|/);
    expect(report).toContain('autovacuum off');
    expect(report).toContain('glibc malloc: `MALLOC_ARENA_MAX=2` for the client services');
    expect(report).toContain('No series trends beyond its threshold.');
  });

  it('names a series that trends', () => {
    // 0.5 MB every 10 s: 180 MB an hour
    const report = renderSoakReport(result(0.5, []), files);

    expect(report).toMatch(/\| RSS executor \| 180\.0 MB .*\*\*trends\*\* \|/);
    expect(report).toContain('Beyond the threshold: RSS executor');
  });
});

describe('soakCsv and renderSoakChart', () => {
  it('write one CSV row per reading and one chart panel per kind of series', () => {
    const r = result(0, []);

    expect(soakCsv(r).trimEnd().split('\n')).toHaveLength(62);
    expect(soakCsv(r).split('\n')[0]).toContain('executor_rss_mb');
    expect(renderSoakChart(r).match(/<svg y=/g)).toHaveLength(8);
  });
});
