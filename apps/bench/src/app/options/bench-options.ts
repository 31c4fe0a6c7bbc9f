import { parseArgs } from 'node:util';

/** What one benchmark run does; every number has a default so `npm run bench` alone runs the full benchmark. */
export interface BenchOptions {
  /** Database of the pipeline and of the raw insert limit. */
  readonly database: 'postgres' | 'sqlite';
  /** Messages loaded into the simulator for the downstream throughput run. */
  readonly messages: number;
  /** Size of each message's payload, and of the raw Kafka producer's records. */
  readonly messageBytes: number;
  /** Offered load of the latency run, in messages per second, and how long it lasts. */
  readonly latencyRate: number;
  readonly latencySeconds: number;
  /** Messages segments publish for the cloud in the upstream run. */
  readonly upstreamMessages: number;
  /** Messages that fail their first attempt in the retry run, offered at `retryRate` per second. */
  readonly retryMessages: number;
  readonly retryRate: number;
  /** The fixed delay of the retry policy in the retry run. */
  readonly retryDelayMs: number;
  /** Log records written straight to `<ns>.logs` for the log-writer run. */
  readonly logRows: number;
  /** How long the idle system is watched for RSS and CPU before the load starts. */
  readonly idleSeconds: number;
  /** Where the JSON results, the report and the chart go. */
  readonly outDir: string;
  /** Start the services with `--cpu-prof`; the profiles land in `<outDir>/profiles`. */
  readonly profile: boolean;
  /** The runs to do, in their fixed order; all by default. */
  readonly runs: readonly BenchRunName[];
  /** Measure the raw limits (Kafka producer, Kafka clients, database insert) and start no system (`--limits-only`). */
  readonly limitsOnly: boolean;
  /** Extra settings per service (`--set executor.EXECUTOR_EVENTS_BATCH_SIZE=1000`), for tuning experiments. */
  readonly settings: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Run the client services and the example segment with the heap caps (`NODE_OPTIONS`) of docker/k8s, as deployed. */
  readonly heapCaps: boolean;
  /** Run them with the glibc malloc settings (`MALLOC_*`) of docker/Dockerfile's runtime stage, as the images do. */
  readonly allocatorEnv: boolean;
  /** Measure nothing: write the report and chart again from this results file (`--report-from`). */
  readonly reportFrom: string | null;
}

/** The runs of the benchmark, in the order they run. */
export const BENCH_RUNS = ['downstream', 'latency', 'upstream', 'retries', 'log-writer'] as const;
export type BenchRunName = (typeof BENCH_RUNS)[number];

export const BENCH_DEFAULTS: BenchOptions = {
  database: 'postgres',
  messages: 50_000,
  messageBytes: 1_024,
  latencyRate: 1_000,
  latencySeconds: 30,
  upstreamMessages: 10_000,
  retryMessages: 1_000,
  retryRate: 200,
  retryDelayMs: 2_000,
  logRows: 100_000,
  idleSeconds: 10,
  outDir: 'apps/bench/results',
  profile: false,
  runs: BENCH_RUNS,
  limitsOnly: false,
  settings: {},
  heapCaps: true,
  allocatorEnv: true,
  reportFrom: null,
};

export const BENCH_USAGE = `Usage: npm run bench -- [options]

  --database postgres|sqlite   database of the pipeline (default ${BENCH_DEFAULTS.database})
  --messages N                 messages of the downstream throughput run (default ${BENCH_DEFAULTS.messages})
  --message-bytes N            payload bytes per message (default ${BENCH_DEFAULTS.messageBytes})
  --latency-rate N             offered load of the latency run, msg/s (default ${BENCH_DEFAULTS.latencyRate})
  --latency-seconds N          length of the latency run (default ${BENCH_DEFAULTS.latencySeconds})
  --upstream-messages N        messages published for the cloud (default ${BENCH_DEFAULTS.upstreamMessages})
  --retry-messages N           messages failing once in the retry run (default ${BENCH_DEFAULTS.retryMessages})
  --retry-rate N               their offered load, msg/s (default ${BENCH_DEFAULTS.retryRate})
  --retry-delay-ms N           fixed retry delay of the policy (default ${BENCH_DEFAULTS.retryDelayMs})
  --log-rows N                 log records for the log-writer run (default ${BENCH_DEFAULTS.logRows})
  --idle-seconds N             idle watch before the load (default ${BENCH_DEFAULTS.idleSeconds})
  --out DIR                    results directory (default ${BENCH_DEFAULTS.outDir})
  --profile                    run the services with --cpu-prof (profiles in <out>/profiles)
  --runs a,b                   only these runs of ${BENCH_RUNS.join(',')} (default all)
  --limits-only                only the raw limits: Kafka producer, the Kafka clients, database insert
  --set service.NAME=VALUE     a setting for one service, e.g. --set poller.POLL_BATCH_SIZE=500 (repeatable;
                               over the deployed memory settings below)
  --no-heap-caps               run the services without the NODE_OPTIONS of docker/k8s
  --no-allocator-env           run the services without the MALLOC_* settings of docker/Dockerfile
  --report-from FILE           measure nothing: write the report and chart of <out> again from a results JSON`;

/** A command line the benchmark cannot run; the message says which option and why. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

const COUNTS = {
  messages: { min: 1, max: 5_000_000 },
  'message-bytes': { min: 16, max: 512 * 1024 },
  'latency-rate': { min: 1, max: 100_000 },
  'latency-seconds': { min: 1, max: 3_600 },
  'upstream-messages': { min: 0, max: 1_000_000 },
  'retry-messages': { min: 0, max: 1_000_000 },
  'retry-rate': { min: 1, max: 100_000 },
  'retry-delay-ms': { min: 100, max: 600_000 },
  'log-rows': { min: 0, max: 10_000_000 },
  'idle-seconds': { min: 1, max: 3_600 },
} as const;
type CountOption = keyof typeof COUNTS;

/** Reads the command line (`--messages 5000` and `--messages=5000` alike); throws {@link BenchUsageError}. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(COUNTS).map((name) => [name, { type: 'string' as const }])),
        database: { type: 'string' },
        out: { type: 'string' },
        profile: { type: 'boolean' },
        runs: { type: 'string' },
        'limits-only': { type: 'boolean' },
        set: { type: 'string', multiple: true },
        'no-heap-caps': { type: 'boolean' },
        'no-allocator-env': { type: 'boolean' },
        'report-from': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BenchUsageError(`${(error as Error).message}\n\n${BENCH_USAGE}`);
  }
  if (values['help']) return 'help';
  const count = (name: CountOption, fallback: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const { min, max } = COUNTS[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new BenchUsageError(`--${name} must be a whole number from ${min} to ${max}, got ${String(raw)}`);
    }
    return value;
  };
  const database = values['database'] ?? BENCH_DEFAULTS.database;
  if (database !== 'postgres' && database !== 'sqlite') {
    throw new BenchUsageError(`--database must be postgres or sqlite, got ${String(database)}`);
  }
  const D = BENCH_DEFAULTS;
  let runs: readonly BenchRunName[] = D.runs;
  if (values['limits-only'] === true && values['runs'] !== undefined) {
    throw new BenchUsageError('--limits-only runs none of the system runs; leave out --runs');
  }
  if (typeof values['runs'] === 'string') {
    const named = values['runs'].split(',').map((r) => r.trim());
    const unknown = named.filter((r) => !(BENCH_RUNS as readonly string[]).includes(r));
    if (unknown.length > 0 || named.length === 0) {
      throw new BenchUsageError(
        `--runs takes some of ${BENCH_RUNS.join(',')}; unknown: ${unknown.join(',')}`,
      );
    }
    runs = BENCH_RUNS.filter((r) => named.includes(r));
  }
  const settings: Record<string, Record<string, string>> = {};
  for (const entry of (values['set'] as string[] | undefined) ?? []) {
    const match = /^([a-z][a-z-]*)\.([A-Z][A-Z0-9_]*)=(.*)$/.exec(entry);
    if (!match) throw new BenchUsageError(`--set takes service.NAME=VALUE, got ${entry}`);
    const [, service, name, value] = match as unknown as [string, string, string, string];
    settings[service] = { ...settings[service], [name]: value };
  }
  return {
    database,
    messages: count('messages', D.messages),
    messageBytes: count('message-bytes', D.messageBytes),
    latencyRate: count('latency-rate', D.latencyRate),
    latencySeconds: count('latency-seconds', D.latencySeconds),
    upstreamMessages: count('upstream-messages', D.upstreamMessages),
    retryMessages: count('retry-messages', D.retryMessages),
    retryRate: count('retry-rate', D.retryRate),
    retryDelayMs: count('retry-delay-ms', D.retryDelayMs),
    logRows: count('log-rows', D.logRows),
    idleSeconds: count('idle-seconds', D.idleSeconds),
    outDir: typeof values['out'] === 'string' ? values['out'] : D.outDir,
    heapCaps: values['no-heap-caps'] !== true,
    allocatorEnv: values['no-allocator-env'] !== true,
    profile: values['profile'] === true,
    runs,
    limitsOnly: values['limits-only'] === true,
    settings,
    reportFrom: typeof values['report-from'] === 'string' ? values['report-from'] : null,
  };
}
