import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localBrokerPid, runBench, type BenchEnvironment } from './app/bench-runner';
import { writeBenchOutput } from './app/bench-output';
import { BENCH_USAGE, BenchUsageError, parseBenchOptions } from './app/options/bench-options';
import {
  CLIENT_LIMIT_COMMAND,
  runClientLimitJob,
  type ClientLimitJob,
} from './app/limits/kafka-clients-limit';
import { renderBenchReport } from './app/report/bench-report';
import type { BenchResult } from './app/report/bench-result';
import { runDirectoryName } from './app/system/run-directory';
import { workspaceRoot } from './app/system/workspace-root';
import { parseSoakOptions, SOAK_USAGE } from './app/soak/soak-options';
import { writeSoakOutput } from './app/soak/soak-output';
import { runSoak, type SoakResult } from './app/soak/soak-runner';

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** `npm run bench [-- options]`: makes sure a broker answers, runs the benchmark, writes and prints the report. */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'soak') return soak(argv);
  if (argv[0] === CLIENT_LIMIT_COMMAND) return clientLimit(argv);
  const options = parseBenchOptions(argv);
  if (options === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const workspace = workspaceRoot();
  if (options.reportFrom !== null) {
    const result = JSON.parse(readFileSync(resolve(workspace, options.reportFrom), 'utf8')) as BenchResult;
    progress(`wrote ${writeBenchOutput(result, resolve(workspace, options.outDir)).join(', ')}`);
    return 0;
  }
  const result = await runBench(options, environment(workspace, argv));
  const out = resolve(workspace, options.outDir);
  const files = writeBenchOutput(result, out);
  // The latest run in <out>, and every run in the history of runs beside it.
  const kept = writeBenchOutput(result, join(out, 'runs', runDirectoryName(result.startedAt, result.commit)));
  process.stdout.write(`\n${renderBenchReport(result, files[2] ?? '')}\n`);
  progress(`wrote ${[...files, ...kept].join(', ')}`);
  return result.problems.length === 0 ? 0 : 1;
}

/** `npm run bench -- soak [options]`: the long run under faults and kills; writes samples, chart and report. */
async function soak(argv: string[]): Promise<number> {
  const options = parseSoakOptions(argv.slice(1));
  if (options === 'help') {
    process.stdout.write(`${SOAK_USAGE}\n`);
    return 0;
  }
  const workspace = workspaceRoot();
  const out = resolve(workspace, options.outDir);
  if (options.reportFrom !== null) {
    const result = JSON.parse(readFileSync(resolve(workspace, options.reportFrom), 'utf8')) as SoakResult;
    progress(`wrote ${writeSoakOutput(result, out).join(', ')}`);
    return result.problems.length === 0 ? 0 : 1;
  }
  const result = await runSoak(options, environment(workspace, argv));
  // The latest soak in <out>, and every soak in the history of runs beside it.
  const files = [
    ...writeSoakOutput(result, out),
    ...writeSoakOutput(result, join(out, 'runs', runDirectoryName(result.startedAt, result.commit))),
  ];
  progress(`wrote ${files.join(', ')}`);
  return result.problems.length === 0 ? 0 : 1;
}

/**
 * `main.js client-limit '<job JSON>'`, not for users: the child process in which the bench measures one Kafka client
 * library (kafka-clients-limit.ts); the result goes to stdout as the last line.
 */
async function clientLimit(argv: string[]): Promise<number> {
  const job = JSON.parse(argv[1] ?? '') as ClientLimitJob;
  const result = await runClientLimitJob(job, progress);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

/** Makes sure a broker answers (reusing a running one, never stopping one) and says where the bench runs. */
function environment(workspace: string, argv: readonly string[]): BenchEnvironment {
  const ensured = spawnSync(process.execPath, ['tools/kafka/kafka-broker.mjs', 'ensure', '--json'], {
    cwd: workspace,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (ensured.status !== 0)
    throw new Error('no Kafka broker (tools/kafka/kafka-broker.mjs ensure failed, see above)');
  const { brokers } = JSON.parse(ensured.stdout.trim().split('\n').pop() ?? '{}') as { brokers: string };
  process.env['KAFKA_BROKERS'] = brokers; // the process harness hands it to every service
  return {
    workspace,
    brokers,
    brokerPid: localBrokerPid(workspace, brokers),
    postgresAdminUrl: process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.map(shellQuoted).join(' ')}` : ''}`,
    progress,
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(
      error instanceof BenchUsageError ? error.message : `failed: ${(error as Error).stack ?? String(error)}`,
    );
    process.exit(error instanceof BenchUsageError ? 2 : 1);
  },
);

/** An argument as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
function shellQuoted(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
