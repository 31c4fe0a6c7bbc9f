import type { RecordsPerMessage } from '../analysis/records-per-message';
import { ratio } from '../stats/rates';
import type { SampleSummary } from '../stats/sample-summary';
import type { BenchResult, ClientRun, KafkaClientLimit } from './bench-result';
import { checkBars } from './design-bars';

/** Cores the run's own processes kept busy during the downstream run. */
function ownCores(result: BenchResult): number {
  return Object.values(result.resources).reduce((sum, u) => sum + (u.load?.cpuPercentMean ?? 0) / 100, 0);
}

const mb = (n: number | undefined) => (n === undefined || n === 0 ? '—' : `${num(n)} MB`);
const cpuPerMessage = (cpuSeconds: number | undefined, messages: number | undefined) =>
  cpuSeconds === undefined || !messages ? '—' : `${((cpuSeconds * 1000) / messages).toFixed(2)} ms`;

/** One row of the figures table: a pipeline figure beside the raw limits of the same run. */
export interface FigureRow {
  readonly figure: string;
  readonly value: string;
  /** value ÷ raw Kafka producer (records/s, or its p99 latency at the same load for latencies). */
  readonly kafka: number | null;
  /** value ÷ raw database batched insert (rows/s). */
  readonly database: number | null;
}

// NaN is a figure not measured too (a limits-only run's busy cores); written to JSON, it reads back as null.
const num = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(r < 0.1 ? 1 : 0)} %`);
const times = (r: number | null) => (r === null ? '—' : `${r.toFixed(1)}×`);
const spread = (s: SampleSummary | null | undefined) =>
  s ? `${num(s.p50)} / ${num(s.p95)} / ${num(s.p99)} ms` : '—';
const lateSpread = (s: SampleSummary | null | undefined) =>
  s ? `${num(s.p50)} / ${num(s.p99)} / ${num(s.max)} ms` : '—';

/** The pipeline figures, each beside the raw Kafka and database rates measured in the same run. */
export function figureRows(result: BenchResult): FigureRow[] {
  const kafka = result.limits.kafka;
  const kafkaRate = kafka?.full.recordsPerSec ?? null;
  const dbRate = result.limits.database?.rowsPerSec ?? null;
  const kafkaP99AtRate = kafka?.atLatencyRate?.p99LatencyMs ?? null;
  const rows: FigureRow[] = [];
  const throughput = (figure: string, value: number | null | undefined, unit: string) => {
    rows.push({
      figure,
      value: value === null || value === undefined ? '—' : `${num(value)} ${unit}`,
      kafka: ratio(value, kafkaRate),
      database: ratio(value, dbRate),
    });
  };
  const d = result.downstream;
  throughput(
    `Downstream, ${num(d?.messages)} msg, first get → last successful outcome`,
    result.downstreamMsgPerSec,
    'msg/s',
  );
  throughput('Downstream, median second once under way', d?.steadyMsgPerSec, 'msg/s');
  const l = result.latency;
  rows.push({
    figure: `Enqueue → handler p50 / p95 / p99 at ${num(l?.offeredMsgPerSec)} msg/s`,
    value: spread(l?.enqueueToHandlerMs),
    kafka: ratio(l?.enqueueToHandlerMs?.p99, kafkaP99AtRate),
    database: null,
  });
  rows.push({
    figure: 'Enqueue → successful outcome p50 / p95 / p99 (same run)',
    value: spread(l?.enqueueToRecordedMs),
    kafka: ratio(l?.enqueueToRecordedMs?.p99, kafkaP99AtRate),
    database: null,
  });
  const hops = l?.hopsMs;
  for (const [name, summary] of [
    ['cloud queue → appended by the poller', hops?.toReceived],
    ['→ command record published (executor)', hops?.toDispatched],
    ['→ handler started (segment)', hops?.toHandler],
    ['→ successful outcome published (segment)', hops?.toRecorded],
  ] as const) {
    rows.push({ figure: `&nbsp;&nbsp;hop: ${name}`, value: spread(summary), kafka: null, database: null });
  }
  throughput(
    `Upstream, ${num(result.upstream?.messages)} msg, stored → sent`,
    result.upstream?.msgPerSec,
    'msg/s',
  );
  const retries = result.retries;
  const stamped = retries?.commandTimestampType ? `, ${retries.commandTimestampType}` : '';
  rows.push({
    figure:
      `Retry lateness p50 / p99 / max (due → command record's timestamp${stamped}; ` +
      `${num(retries?.commandLatenessMs?.count)} of ${num(retries?.retries)} retries)`,
    value: lateSpread(retries?.commandLatenessMs),
    kafka: null,
    database: null,
  });
  rows.push({
    figure: '&nbsp;&nbsp;due → claimed by the retry scheduler (`retry-due`), p50 / p99 / max',
    value: lateSpread(retries?.claimLatenessMs),
    kafka: null,
    database: null,
  });
  throughput(`Log writer, ${num(result.logWriter?.rows)} rows`, result.logWriter?.rowsPerSec, 'rows/s');
  return rows;
}

const perMsg = (n: number) => num(n, 2);

/** The records-per-message section of one run: totals, then each topic with the groups that read it. */
export function recordsLines(run: string, records: RecordsPerMessage | null | undefined): string[] {
  if (!records) return [`${run}: not counted.`, ''];
  const readers = (readBy: Readonly<Record<string, number>>) =>
    Object.entries(readBy)
      .map(([group, n]) => `${group} ${perMsg(n)}`)
      .join(', ') || 'no group';
  return [
    `${run} (${num(records.messages)} messages): **${perMsg(records.produced)} produced, ` +
      `${perMsg(records.consumed)} consumed** per message ` +
      `(${num(records.producedRecords)} and ${num(records.consumedRecords)} records).`,
    '',
    '| topic | produced per message | read by (records per message) |',
    '|---|---|---|',
    ...Object.entries(records.topics).map(
      ([topic, t]) => `| ${topic} | ${perMsg(t.producedPerMessage)} | ${readers(t.readBy)} |`,
    ),
    '',
  ];
}

/**
 * The Kafka client libraries side by side, one column each: produce and consume rates with the CPU they cost per
 * 1,000 records, and what the idempotent producer with several sends in flight did. Errors go in notes below the
 * table, numbered, as they are long.
 */
export function clientLines(clients: readonly KafkaClientLimit[] | null | undefined): string[] {
  if (!clients || clients.length === 0) return ['Kafka clients on their own: not measured.', ''];
  const notes: string[] = [];
  const failed = (error: string | null) => {
    notes.push(error ?? 'unknown error');
    return `failed (${notes.length})`;
  };
  const rate = (run: ClientRun) =>
    run.figures ? `${num(run.figures.recordsPerSec)} records/s` : failed(run.error);
  const cpu = (run: ClientRun) => (run.figures ? `${num(run.figures.cpuMsPer1000, 2)} ms` : '—');
  const readBack = (c: KafkaClientLimit) => {
    const check = c.produceInFlight.readBack;
    if (!check) return `not read (${failed(c.produceInFlight.readBackError)})`;
    const faults = [
      check.missing > 0 && `${num(check.missing)} acknowledged missing`,
      check.duplicates > 0 && `${num(check.duplicates)} duplicated`,
      check.outOfOrder > 0 && `${num(check.outOfOrder)} out of order`,
    ].filter(Boolean);
    return (
      `${num(check.records)} records of ${num(c.produceInFlight.acknowledged)} acknowledged: ` +
      (faults.length > 0 ? `**${faults.join(', ')}**` : 'each once, in order')
    );
  };
  const first = clients[0] as KafkaClientLimit;
  const inFlight = first.produceInFlight.inFlight;
  const row = (figure: string, cell: (c: KafkaClientLimit) => string) =>
    `| ${figure} | ${clients.map(cell).join(' | ')} |`;
  const table = [
    `| | ${clients.map((c) => `${c.client} ${c.version}`).join(' | ')} |`,
    `|---|${clients.map(() => '---|').join('')}`,
    row('produce, one send at a time', (c) => rate(c.produce)),
    row('&nbsp;&nbsp;CPU per 1,000 records', (c) => cpu(c.produce)),
    row(`produce, ${inFlight} sends in flight`, (c) => rate(c.produceInFlight)),
    row('&nbsp;&nbsp;CPU per 1,000 records', (c) => cpu(c.produceInFlight)),
    row('&nbsp;&nbsp;its topic read back', readBack),
    row('consume, a new group from the start', (c) => rate(c.consume)),
    row('&nbsp;&nbsp;CPU per 1,000 records', (c) => cpu(c.consume)),
  ];
  return [
    `Kafka clients on their own, one after the other, each in a process of its own: ${num(first.records)} records of ` +
      `${num(first.recordBytes)} B and a 36-byte key, ${first.partitions} partitions chosen in turn, ` +
      `${num(first.batchRecords)} records per send, idempotent producer, acks=all, after a warm-up of ` +
      `${num(first.warmUpRecords)} records. CPU is that process's (user + system) over the timed window, per 1,000 ` +
      "records. A client's runs follow each other in its process in the table's order.",
    '',
    ...table,
    '',
    ...notes.map((note, i) => `(${i + 1}) ${note.replace(/\s+/g, ' ')}`),
    ...(notes.length > 0 ? [''] : []),
    `With ${inFlight} sends in flight, each client was asked for ${inFlight} requests in flight per connection; ` +
      "kafkajs' idempotent producer still sends one request at a time per broker (a lock), and " +
      "@platformatic/kafka's sets its own limit to 1, so concurrent sends queue on the connection with the " +
      'sequence numbers they took when they started. The topic is then read back in offset order: every record ' +
      'of a send that resolved must be there ("acknowledged missing" are not: lost though the client reported ' +
      'them written), once ("duplicated"), and after the records of the sends started before its own on its ' +
      'partition ("out of order": the client did not keep the order in which concurrent sends were started).',
    '',
    `Consume: from the group's join to the last record (the consumer also reads the warm-up's records), ` +
      `committing nothing. ${clients.map((c) => `${c.client} ${c.version}: ${c.consumeMode}`).join('; ')}.`,
    '',
  ];
}

/** The short markdown report: machine and load, the figures with their limit ratios, the bars, and the chart. */
export function renderBenchReport(result: BenchResult, chartFile: string): string {
  const { machine, load, limits } = result;
  const kafka = limits.kafka;
  const db = limits.database;
  const lines: string[] = [
    '# Smart Link Client benchmark',
    '',
    `Run ${result.startedAt} → ${result.finishedAt} with \`${result.command}\`.`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${num(machine.memoryGb)} GB RAM, ${machine.os}; Node ${machine.node}, ` +
      `Kafka ${machine.kafka} (single-node KRaft broker on the same machine), ${machine.database} on the same machine. ` +
      'Shared with other engineers running tests at the same time: ' +
      `load average ${load.before.map((n) => num(n, 1)).join(' / ')} before, ` +
      `${num(load.duringMax1m, 1)} at most (mean ${num(load.duringMean1m, 1)}) during, ` +
      `${load.after.map((n) => num(n, 1)).join(' / ')} after (the run's own processes included). During the ` +
      `downstream run the machine kept ${num(load.loadBusyCores, 2)} of its ${machine.cpus} cores busy on average, ` +
      `${num(ownCores(result), 2)} of them for this run (its services, the simulator, the broker and its database ` +
      `backends); idle before, ${num(load.idleBusyCores, 2)}.`,
    '',
    '## Raw limits (same run)',
    '',
    kafka
      ? `- Kafka producer (\`kafka-producer-perf-test\`, acks=all, ${num(kafka.full.records)} records of ${num(kafka.recordBytes)} B, ` +
        `${kafka.partitions} partitions): **${num(kafka.full.recordsPerSec)} records/s** (p99 ${num(kafka.full.p99LatencyMs)} ms at full speed` +
        (kafka.atLatencyRate
          ? `; p99 ${num(kafka.atLatencyRate.p99LatencyMs)} ms at ${num(kafka.atLatencyRate.recordsPerSec)} records/s)`
          : ')')
      : '- Kafka producer: not measured',
    db
      ? `- ${db.database} batched insert into a GTOTVSLINKMESSAGEEXEC-shaped table (the executor's insert, ` +
        `${num(db.batchSize)} rows per statement, ${db.concurrency} writers, ${num(db.rows)} rows): **${num(db.rowsPerSec)} rows/s**`
      : '- Database insert: not measured',
    '',
    ...clientLines(limits.clients),
    '## Pipeline',
    '',
    '| figure | value | ÷ Kafka producer | ÷ DB insert |',
    '|---|---|---|---|',
    ...figureRows(result).map((r) => {
      const latency = r.value.endsWith(' ms');
      return `| ${r.figure} | ${r.value} | ${latency ? times(r.kafka) : pct(r.kafka)} | ${pct(r.database)} |`;
    }),
    '',
    'Latency ratios compare the p99 with the raw producer’s own p99 at the same offered load (one acks=all hop). ' +
      'The hops split the same messages’ path by the records the services write: the `received` event, the ' +
      'command record (the dispatch) and the segment’s outcome record, each at its record timestamp, and the ' +
      'handler’s start from the outcome. The executor records the success just after the outcome record, so ' +
      'neither the last hop nor the downstream window holds that recording.',
    '',
    `![downstream throughput](${chartFile})`,
    '',
    '## Kafka records per message',
    '',
    ...recordsLines('Downstream run', result.recordsPerMessage),
    ...(result.settings.retryMessages > 0
      ? recordsLines('Retry run, two attempts per message', result.recordsPerRetriedMessage)
      : []),
    'Produced = records appended to the topics of the run’s namespace (end offsets after − before the run); ' +
      'consumed = records its consumer groups committed past (committed offsets after − before); both ÷ the ' +
      'messages the run handled, each snapshot taken once every group had committed past every record.',
    '',
    '## Bars (design.md §7)',
    '',
    '| bar | measured | met |',
    '|---|---|---|',
    ...checkBars(result).map(
      (b) => `| ${b.bar} | ${b.measured} | ${b.met === null ? '—' : b.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Processes',
    '',
    '| service | idle RSS | idle CPU | load RSS (max) | load heap used (max) | load CPU (mean / max) | CPU per message |',
    '|---|---|---|---|---|---|---|',
    ...Object.entries(result.resources).map(
      ([service, u]) =>
        `| ${service} | ${mb(u.idle?.rssMbMax)} | ${num(u.idle?.cpuPercentMean, 1)} % | ` +
        `${mb(u.load?.rssMbMax)} | ${mb(u.load?.heapMbMax)} | ` +
        `${num(u.load?.cpuPercentMean)} / ${num(u.load?.cpuPercentMax)} % | ` +
        `${cpuPerMessage(u.load?.cpuSeconds, result.downstream?.messages)} |`,
    ),
    '',
    `CPU is % of one core (the machine has ${machine.cpus}); load = the downstream throughput run. CPU per ` +
      'message = CPU time over that run ÷ its messages: what each message costs a service, whatever else runs. Heap ' +
      "used = V8's heap in use as the service's /metrics reported it (`nodejs_heap_size_used_bytes`), once a second.",
    '',
    memoryLine(result.settings.deployedMemory),
  ];
  if (result.problems.length > 0) {
    lines.push('', '## Problems', '', ...result.problems.map((p) => `- ${p}`));
  }
  return `${lines.join('\n')}\n`;
}

/** What memory settings the services ran with: the deployed ones, or which were left out. */
function memoryLine(memory: BenchResult['settings']['deployedMemory']): string {
  if (memory === undefined) {
    return 'Memory settings: none given by the run (it predates the deployed ones; `--set` above says if any were set).';
  }
  const caps = Object.entries(memory.heapCapsBy);
  const malloc = Object.entries(memory.mallocEnv);
  return (
    'Memory settings of the client services and the example segment, as deployed: ' +
    (caps.length === 0
      ? 'no heap caps (`--no-heap-caps`)'
      : `heap caps from docker/k8s (${caps.map(([s, o]) => `${s} \`${o}\``).join(', ')})`) +
    '; ' +
    (malloc.length === 0
      ? "glibc malloc's defaults (`--no-allocator-env`)"
      : `${malloc.map(([k, v]) => `\`${k}=${v}\``).join(' ')} from docker/Dockerfile`) +
    '. The simulator, playing the cloud, runs without them.'
  );
}
