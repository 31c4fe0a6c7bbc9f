import { parseArgs } from 'node:util';
import { BenchUsageError } from '../options/bench-options';

/** What one soak run does (`npm run bench -- soak [options]`); every number has a default. */
export interface SoakOptions {
  readonly minutes: number;
  /** Messages offered to the cloud queue per second, all run long. */
  readonly rate: number;
  /** Share of them (0–1) whose first attempt fails on purpose, so retries run all along. */
  readonly failingShare: number;
  /** The fixed delay of the retry policy. */
  readonly retryDelayMs: number;
  /** Probability of each cloud fault (5xx, 429, connection reset) per request to get, ack and send. */
  readonly faultProbability: number;
  /** A random client service is SIGKILLed and restarted this often; 0 for never. */
  readonly killEveryMinutes: number;
  readonly sampleSeconds: number;
  /** The start of the run left out of the trends, while caches, pools and heaps fill. */
  readonly warmUpMinutes: number;
  /** After each kill, this long is left out of the trends (restart, rebalance, catching up). */
  readonly afterKillSeconds: number;
  readonly messageBytes: number;
  /**
   * When the server's autovacuum is off, run VACUUM (ANALYZE) on the RM tables this often in its stead (as autovacuum
   * would, every `autovacuum_naptime`, 60 s by default); 0 for never.
   */
  readonly vacuumSeconds: number;
  /** Run the services with the heap caps (`NODE_OPTIONS`) of docker/k8s, as in production. */
  readonly heapCaps: boolean;
  /** Run the services with the glibc malloc settings (`MALLOC_*`) of docker/Dockerfile's runtime stage, as the images do. */
  readonly allocatorEnv: boolean;
  readonly outDir: string;
  /** Measure nothing: write the report and chart of <out> again from a samples JSON. */
  readonly reportFrom: string | null;
}

export const SOAK_DEFAULTS: SoakOptions = {
  minutes: 30,
  rate: 300,
  failingShare: 0.1,
  retryDelayMs: 5_000,
  faultProbability: 0.01,
  killEveryMinutes: 5,
  sampleSeconds: 10,
  warmUpMinutes: 5,
  afterKillSeconds: 60,
  messageBytes: 1_024,
  vacuumSeconds: 60,
  heapCaps: true,
  allocatorEnv: true,
  outDir: 'apps/bench/results/soak',
  reportFrom: null,
};

export const SOAK_USAGE = `Usage: npm run bench -- soak [options]

  --minutes N                  length of the run (default ${SOAK_DEFAULTS.minutes})
  --rate N                     messages offered per second (default ${SOAK_DEFAULTS.rate})
  --failing-share F            share failing their first attempt, 0-1 (default ${SOAK_DEFAULTS.failingShare})
  --retry-delay-ms N           fixed retry delay (default ${SOAK_DEFAULTS.retryDelayMs})
  --fault-probability F        probability of each cloud fault (503, 429, reset) per get/ack/send (default ${SOAK_DEFAULTS.faultProbability})
  --kill-every-minutes N       SIGKILL and restart a random client service this often, 0 = never (default ${SOAK_DEFAULTS.killEveryMinutes})
  --sample-seconds N           sampling interval (default ${SOAK_DEFAULTS.sampleSeconds})
  --warm-up-minutes N          left out of the trends at the start (default ${SOAK_DEFAULTS.warmUpMinutes})
  --after-kill-seconds N       left out of the trends after each kill (default ${SOAK_DEFAULTS.afterKillSeconds})
  --message-bytes N            payload bytes per message (default ${SOAK_DEFAULTS.messageBytes})
  --vacuum-seconds N           with the server's autovacuum off, VACUUM (ANALYZE) the RM tables this often, 0 = never (default ${SOAK_DEFAULTS.vacuumSeconds})
  --no-heap-caps               run the services without the NODE_OPTIONS of docker/k8s
  --no-allocator-env           run the services without the MALLOC_* settings of docker/Dockerfile
  --out DIR                    results directory (default ${SOAK_DEFAULTS.outDir})
  --report-from FILE           measure nothing: write the report and chart of <out> again from a samples JSON`;

const WHOLE = {
  minutes: { min: 1, max: 24 * 60 },
  rate: { min: 1, max: 10_000 },
  'retry-delay-ms': { min: 100, max: 600_000 },
  'kill-every-minutes': { min: 0, max: 24 * 60 },
  'sample-seconds': { min: 1, max: 600 },
  'warm-up-minutes': { min: 0, max: 24 * 60 },
  'after-kill-seconds': { min: 0, max: 3_600 },
  'message-bytes': { min: 16, max: 512 * 1024 },
  'vacuum-seconds': { min: 0, max: 3_600 },
} as const;
const SHARES = ['failing-share', 'fault-probability'] as const;

/** Reads the soak's command line (what follows `soak`); throws {@link BenchUsageError} naming the bad option. */
export function parseSoakOptions(argv: readonly string[]): SoakOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(
          [...Object.keys(WHOLE), ...SHARES].map((name) => [name, { type: 'string' as const }]),
        ),
        'no-heap-caps': { type: 'boolean' },
        'no-allocator-env': { type: 'boolean' },
        out: { type: 'string' },
        'report-from': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BenchUsageError(`${(error as Error).message}\n\n${SOAK_USAGE}`);
  }
  if (values['help']) return 'help';
  const whole = (name: keyof typeof WHOLE, fallback: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const { min, max } = WHOLE[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new BenchUsageError(`--${name} must be a whole number from ${min} to ${max}, got ${String(raw)}`);
    }
    return value;
  };
  const share = (name: (typeof SHARES)[number], fallback: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || !(value >= 0 && value <= 1)) {
      throw new BenchUsageError(`--${name} must be a number from 0 to 1, got ${String(raw)}`);
    }
    return value;
  };
  const D = SOAK_DEFAULTS;
  return {
    minutes: whole('minutes', D.minutes),
    rate: whole('rate', D.rate),
    failingShare: share('failing-share', D.failingShare),
    retryDelayMs: whole('retry-delay-ms', D.retryDelayMs),
    faultProbability: share('fault-probability', D.faultProbability),
    killEveryMinutes: whole('kill-every-minutes', D.killEveryMinutes),
    sampleSeconds: whole('sample-seconds', D.sampleSeconds),
    warmUpMinutes: whole('warm-up-minutes', D.warmUpMinutes),
    afterKillSeconds: whole('after-kill-seconds', D.afterKillSeconds),
    messageBytes: whole('message-bytes', D.messageBytes),
    vacuumSeconds: whole('vacuum-seconds', D.vacuumSeconds),
    heapCaps: values['no-heap-caps'] !== true,
    allocatorEnv: values['no-allocator-env'] !== true,
    outDir: typeof values['out'] === 'string' ? values['out'] : D.outDir,
    reportFrom: typeof values['report-from'] === 'string' ? values['report-from'] : null,
  };
}
