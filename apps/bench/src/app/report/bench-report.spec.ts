import type { BenchResult, KafkaClientLimit } from './bench-result';
import { clientLines, figureRows, renderBenchReport } from './bench-report';
import { checkBars } from './design-bars';

const summary = (p50: number, p95: number, p99: number) => ({
  count: 100,
  min: 1,
  p50,
  p95,
  p99,
  max: p99 + 1,
  mean: p50,
});
const usage = (rssMbMax: number, cpuPercentMean: number) => ({
  cpuPercentMean,
  cpuPercentMax: cpuPercentMean * 2,
  rssMbMean: rssMbMax - 10,
  rssMbMax,
  cpuSeconds: cpuPercentMean / 10,
  samples: 10,
  heapMbMax: rssMbMax / 2,
});

function result(overrides: Partial<BenchResult> = {}): BenchResult {
  const report = (recordsPerSec: number, p99LatencyMs: number) => ({
    records: 50_000,
    recordsPerSec,
    mbPerSec: recordsPerSec / 1024,
    avgLatencyMs: 5,
    maxLatencyMs: 50,
    p50LatencyMs: 4,
    p95LatencyMs: 10,
    p99LatencyMs,
  });
  return {
    schema: 'smartlink-bench/v1',
    startedAt: '2026-11-28T12:00:00.000Z',
    finishedAt: '2026-11-28T12:10:00.000Z',
    command: 'npm run bench',
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU',
      memoryGb: 24,
      os: 'Linux 6.1',
      node: 'v20.20.2',
      kafka: '4.1.1',
      database: 'PostgreSQL 15.20',
    },
    load: {
      idleBusyCores: 0.2,
      loadBusyCores: 1.9,
      before: [1, 2, 3],
      duringMax1m: 4,
      duringMean1m: 3.5,
      after: [1, 1, 1],
    },
    settings: {
      database: 'postgres',
      messages: 50_000,
      messageBytes: 1_024,
      latencyRate: 1_000,
      latencySeconds: 30,
      upstreamMessages: 10_000,
      retryMessages: 1_000,
      retryDelayMs: 2_000,
      logRows: 100_000,
      serviceSettings: {},
    },
    limits: {
      kafka: {
        partitions: 6,
        recordBytes: 1_024,
        full: report(20_000, 300),
        atLatencyRate: report(1_000, 10),
      },
      database: { database: 'PostgreSQL', rows: 50_000, batchSize: 500, concurrency: 3, rowsPerSec: 40_000 },
    },
    downstreamMsgPerSec: 6_000,
    downstream: {
      messages: 50_000,
      startedAt: 0,
      finishedAt: 8_333,
      windowMs: 8_333,
      msgPerSec: 6_000,
      steadyMsgPerSec: 6_500,
      best5sMsgPerSec: 7_000,
      perSecond: {
        received: [9_000, 9_000],
        dispatched: [8_000, 8_000],
        handled: [6_000, 7_000],
        succeeded: [5_000, 7_000],
      },
    },
    latency: {
      messages: 30_000,
      offeredMsgPerSec: 1_000,
      enqueueToHandlerMs: summary(40, 120, 250),
      enqueueToRecordedMs: summary(60, 150, 300),
      hopsMs: {
        toReceived: summary(10, 20, 30),
        toDispatched: summary(10, 20, 30),
        toHandler: summary(10, 20, 30),
        toRecorded: summary(10, 20, 30),
      },
    },
    recordsPerMessage: {
      messages: 50_000,
      produced: 4,
      consumed: 5,
      producedRecords: 200_000,
      consumedRecords: 250_000,
      topics: {
        events: {
          produced: 150_000,
          producedPerMessage: 3,
          readBy: { 'executor.events': 3, 'retry-scheduler': 3 },
        },
        logs: { produced: 50_000, producedPerMessage: 1, readBy: {} },
      },
      groups: {
        'executor.events': { consumed: 150_000, consumedPerMessage: 3, topics: { events: 3 } },
        'retry-scheduler': { consumed: 100_000, consumedPerMessage: 2, topics: { events: 2 } },
      },
    },
    recordsPerRetriedMessage: null,
    upstream: { messages: 10_000, windowMs: 5_000, msgPerSec: 2_000 },
    retries: {
      retries: 1_000,
      commandLatenessMs: summary(100, 200, 400),
      withoutCommand: 0,
      commandTimestampType: 'CreateTime',
      claimLatenessMs: summary(50, 90, 150),
    },
    logWriter: { rows: 100_000, windowMs: 4_000, rowsPerSec: 25_000 },
    resources: {
      'smartlink-sim': { idle: usage(90, 1), load: usage(400, 50) },
      'kafka-broker': { idle: usage(600, 5), load: usage(700, 60) },
      executor: { idle: usage(110, 2), load: usage(180, 80) },
      poller: { idle: usage(100, 1), load: usage(150, 40) },
    },
    problems: [],
    ...overrides,
  };
}

const figures = (recordsPerSec: number, cpuMsPer1000: number) => ({
  figures: { records: 50_000, ms: 1, cpuMs: 1, recordsPerSec, cpuMsPer1000 },
  error: null,
});

function clientLimit(overrides: Partial<KafkaClientLimit> = {}): KafkaClientLimit {
  return {
    client: 'kafkajs',
    version: '2.2.4',
    partitions: 6,
    records: 50_000,
    recordBytes: 1_024,
    batchRecords: 100,
    warmUpRecords: 1_000,
    produce: figures(12_000, 17),
    produceInFlight: {
      ...figures(12_500, 16.5),
      inFlight: 5,
      acknowledged: 51_000,
      readBack: { records: 51_000, missing: 0, duplicates: 0, outOfOrder: 0 },
      readBackError: null,
    },
    consume: figures(60_000, 7.25),
    consumeMode: 'eachBatch',
    ...overrides,
  };
}

describe('clientLines', () => {
  const platformatic = clientLimit({
    client: '@platformatic/kafka',
    version: '1.35.0',
    produce: figures(25_000, 9),
    produceInFlight: {
      figures: null,
      error: 'Producing messages failed. ← OUT_OF_ORDER_SEQUENCE_NUMBER: Received response with error',
      inFlight: 5,
      acknowledged: 1_300,
      readBack: { records: 1_500, missing: 0, duplicates: 100, outOfOrder: 100 },
      readBackError: null,
    },
    consume: { figures: null, error: 'the client reported no group join' },
    consumeMode: 'a MessagesStream',
  });
  const markdown = clientLines([clientLimit(), platformatic]).join('\n');

  it('puts the clients side by side, rate and CPU per 1,000 records for each run', () => {
    expect(markdown).toContain('| | kafkajs 2.2.4 | @platformatic/kafka 1.35.0 |');
    expect(markdown).toContain('| produce, one send at a time | 12,000 records/s | 25,000 records/s |');
    expect(markdown).toContain('| &nbsp;&nbsp;CPU per 1,000 records | 17.00 ms | 9.00 ms |');
    expect(markdown).toContain('| consume, a new group from the start | 60,000 records/s | failed (2) |');
    expect(markdown).toContain('| &nbsp;&nbsp;CPU per 1,000 records | 7.25 ms | — |');
  });

  it('says whether the sends in flight failed, with the error in a numbered note, and what the topic held', () => {
    expect(markdown).toContain('| produce, 5 sends in flight | 12,500 records/s | failed (1) |');
    expect(markdown).toContain(
      '| &nbsp;&nbsp;its topic read back | 51,000 records of 51,000 acknowledged: each once, in order | ' +
        '1,500 records of 1,300 acknowledged: **100 duplicated, 100 out of order** |',
    );
    expect(markdown).toContain(
      '(1) Producing messages failed. ← OUT_OF_ORDER_SEQUENCE_NUMBER: Received response with error',
    );
    expect(markdown).toContain('(2) the client reported no group join');
  });

  it('states what was measured and how', () => {
    expect(markdown).toContain(
      '50,000 records of 1,024 B and a 36-byte key, 6 partitions chosen in turn, 100 records per send, ' +
        'idempotent producer, acks=all, after a warm-up of 1,000 records.',
    );
    expect(markdown).toContain('kafkajs 2.2.4: eachBatch; @platformatic/kafka 1.35.0: a MessagesStream.');
  });

  it('says so when the clients were not measured (results of older runs)', () => {
    expect(clientLines(undefined)).toEqual(['Kafka clients on their own: not measured.', '']);
  });
});

describe('figureRows', () => {
  it('puts each throughput beside the raw Kafka producer and database insert rates', () => {
    const [downstream] = figureRows(result());

    expect(downstream).toEqual({
      figure: 'Downstream, 50,000 msg, first get → last successful outcome',
      value: '6,000 msg/s',
      kafka: 0.3,
      database: 0.15,
    });
  });

  it('compares latency p99 with the raw producer p99 at the same load', () => {
    const latency = figureRows(result()).find((r) => r.figure.startsWith('Enqueue → handler'));

    expect(latency).toMatchObject({ value: '40 / 120 / 250 ms', kafka: 25, database: null });
  });

  it('shows a dash where a limit or figure is missing', () => {
    const rows = figureRows(result({ limits: { kafka: null, database: null }, logWriter: null }));

    expect(rows.every((r) => r.kafka === null && r.database === null)).toBe(true);
    expect(rows.find((r) => r.figure.startsWith('Log writer'))?.value).toBe('—');
  });
});

describe('checkBars', () => {
  it('checks every bar of design.md §7', () => {
    expect(checkBars(result()).map((b) => [b.bar, b.met])).toEqual([
      ['downstream ≥ 5,000 msg/s sustained', true],
      ['downstream stretch ≥ 10,000 msg/s', false],
      ['enqueue → handler p99 ≤ 500 ms at 1,000 msg/s', true],
      ['retry command record ≤ 1,000 ms after due (p99)', true],
      ['log writer ≥ 20,000 rows/s', true],
      ['RSS ≤ 200 MB per service', true],
    ]);
  });

  it('judges RSS by the largest client service, leaving out the simulator and the broker', () => {
    const rss = checkBars(result()).find((b) => b.bar.startsWith('RSS'));

    expect(rss).toEqual({
      bar: 'RSS ≤ 200 MB per service',
      measured: '180 MB at most (executor)',
      met: true,
    });
  });

  it('does not count a latency p99 measured at much less than 1,000 msg/s', () => {
    const slow = result({
      latency: { ...(result().latency as NonNullable<BenchResult['latency']>), offeredMsgPerSec: 600 },
    });

    expect(checkBars(slow).find((b) => b.bar.startsWith('enqueue'))?.met).toBe(false);
  });

  it('leaves a bar open when the run could not measure it', () => {
    const bars = checkBars(result({ downstreamMsgPerSec: null, retries: null }));

    expect(bars[0]).toMatchObject({ measured: 'not measured', met: null });
    expect(bars.find((b) => b.bar.startsWith('retry'))?.met).toBeNull();
  });
});

describe('renderBenchReport', () => {
  const markdown = renderBenchReport(result(), 'downstream.svg');

  it('states the machine, the load and the command', () => {
    expect(markdown).toContain('`npm run bench`');
    expect(markdown).toContain('2 × Test CPU');
    expect(markdown).toContain('load average 1.0 / 2.0 / 3.0 before, 4.0 at most');
    // 0.5 + 0.8 + 0.4 + 0.6 cores: the simulator, broker, executor and poller under load.
    expect(markdown).toContain('kept 1.90 of its 2 cores busy on average, 2.30 of them for this run');
  });

  it('prints the Kafka clients beside the other raw limits', () => {
    const withClients = renderBenchReport(
      result({ limits: { ...result().limits, clients: [clientLimit()] } }),
      'c.svg',
    );
    expect(withClients).toContain('| | kafkajs 2.2.4 |');
    expect(markdown).toContain('Kafka clients on their own: not measured.');
  });

  it('prints the raw limits and each figure with its ratios', () => {
    expect(markdown).toContain('**20,000 records/s**');
    expect(markdown).toContain('**40,000 rows/s**');
    expect(markdown).toContain(
      '| Downstream, 50,000 msg, first get → last successful outcome | 6,000 msg/s | 30 % | 15 % |',
    );
    expect(markdown).toContain('| 40 / 120 / 250 ms | 25.0× | — |');
    expect(markdown).toContain(
      "| Retry lateness p50 / p99 / max (due → command record's timestamp, CreateTime; 100 of 1,000 retries) | " +
        '100 / 400 / 401 ms |',
    );
  });

  it('links the chart and lists the bars and the processes', () => {
    expect(markdown).toContain('![downstream throughput](downstream.svg)');
    expect(markdown).toContain('| downstream stretch ≥ 10,000 msg/s | 6,000 msg/s | **no** |');
    expect(markdown).toContain('| executor | 110 MB | 2.0 % | 180 MB | 90 MB | 80 / 160 % | 0.16 ms |');
  });

  it('counts the Kafka records per message, by topic with the groups that read it', () => {
    expect(markdown).toContain(
      'Downstream run (50,000 messages): **4.00 produced, 5.00 consumed** per message (200,000 and 250,000 records).',
    );
    expect(markdown).toContain('| events | 3.00 | executor.events 3.00, retry-scheduler 3.00 |');
    expect(markdown).toContain('| logs | 1.00 | no group |');
    expect(markdown).toContain('Retry run, two attempts per message: not counted.');
  });

  it('shows a dash for a figure not measured, as NaN in memory and null once read back from JSON', () => {
    const unknown = { ...result().load, idleBusyCores: NaN, loadBusyCores: NaN };
    expect(renderBenchReport(result({ load: unknown }), 'c.svg')).toContain(
      'the machine kept — of its 2 cores busy on average',
    );
  });

  it('lists the problems of a run that could not measure everything', () => {
    expect(renderBenchReport(result({ problems: ['the retry run timed out'] }), 'c.svg')).toContain(
      '## Problems\n\n- the retry run timed out',
    );
  });
});
