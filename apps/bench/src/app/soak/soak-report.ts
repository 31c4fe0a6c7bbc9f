import type { SoakResult } from './soak-runner';
import type { SoakSample } from './soak-sample';
import { judgeSeries, soakSeries, type SeriesVerdict } from './soak-trends';

const num = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The verdict on every series of a soak run, over the window its settings define. */
export function soakVerdicts(result: SoakResult): SeriesVerdict[] {
  return judgeSeries(
    soakSeries(result.services, result.groups, result.settings.rate),
    result.samples,
    result.kills,
    {
      warmUpS: result.settings.warmUpMinutes * 60,
      afterKillS: result.settings.afterKillSeconds,
      endS: result.loadEndS,
    },
  );
}

const digitsFor = (unit: string) => (unit === 's' || unit === 'rows/msg' ? 3 : 1);

/** The soak's markdown report: command, machine, load, kills, what came through, and a verdict per series. */
export function renderSoakReport(
  result: SoakResult,
  files: { chart: string; json: string; csv: string },
): string {
  const s = result.settings;
  const verdicts = soakVerdicts(result);
  const loads = result.samples.map((x) => x.load1m);
  const inLoad = result.samples.filter((x) => x.t <= result.loadEndS);
  const lastInLoad = inLoad[inLoad.length - 1] as SoakSample | undefined;
  const trending = verdicts.filter((v) => v.verdict === 'trends');
  const m = result.machine;
  const lines = [
    '# Smart Link Client soak run',
    '',
    `Run ${result.startedAt} → ${result.finishedAt} with \`${result.command}\`.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB RAM, ${m.os}; Node ${m.node}, Kafka ${m.kafka} (single-node ` +
      `KRaft broker on the same machine), ${m.database} on the same machine. Shared with other engineers' test runs: ` +
      `load average ${result.loadBefore.join(' / ')} before, ${num(Math.min(...loads), 1)}–${num(Math.max(...loads), 1)} ` +
      `(mean ${num(loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length), 1)}) during, ${result.loadAfter.join(' / ')} after.`,
    '',
    '## What ran',
    '',
    `- ${num(s.rate)} messages/s offered to the simulated cloud for ${s.minutes} min (${num(s.messageBytes)} B payloads): ` +
      `${num(s.failingShare * 100)} % \`DemoInvoiceIssued\` failing their first attempt (retried after a fixed ` +
      `${num(s.retryDelayMs)} ms), ${num(s.pingShare * 100)} % \`DemoPing\` (answered upstream with a \`DemoPong\`), the ` +
      'rest `DemoEmployeeUpdated`.',
    `- Cloud faults on get, ack and send, each at probability ${s.faultProbability} per request: 503, 429 with ` +
      '`Retry-After: 1`, connection reset.',
    `- A random client service SIGKILLed and restarted every ${s.killEveryMinutes} min.`,
    `- Heap caps: ${
      Object.keys(s.heapCapsBy).length === 0
        ? 'none (`--no-heap-caps`)'
        : Object.entries(s.heapCapsBy)
            .map(([name, o]) => `${name} \`${o}\``)
            .join(', ') + ' (from docker/k8s; the simulator, playing the cloud, uncapped)'
    }.`,
    `- glibc malloc: ${allocatorLine(s.mallocEnv)}`,
    `- Database: ${vacuumLine(result)}`,
    `- Readings every ${s.sampleSeconds} s: ${result.samples.length} in all.`,
    '',
    '| kill | at | pid | ready again after |',
    '|---|---|---|---|',
    ...result.kills.map(
      (k, i) =>
        `| ${i + 1}. ${k.service} | ${num(k.t / 60, 1)} min | ${k.pid} | ${k.restartS === null ? `not restarted: ${k.error ?? ''}` : `${num(k.restartS, 1)} s`} |`,
    ),
    '',
    `At the end of the load: ${num(result.end.offered)} messages offered, ${num(result.end.acked)} acked by the client; ` +
      `after the drain GTOTVSLINKMESSAGE held ${num(result.end.undoneRows)} messages not done ` +
      `(${result.end.drained ? 'drained' : 'NOT drained within 3 min'}). Last reading under load: ` +
      `${num(lastInLoad?.tables?.execRows)} GTOTVSLINKMESSAGEEXEC rows, ${num(lastInLoad?.tables?.logRows)} GTOTVSLINKLOG rows.`,
    '',
    `![soak chart](${files.chart})`,
    '',
    '## Trends',
    '',
    `Method: for each series, the least-squares slope of its readings against time, over the readings from the end of ` +
      `the warm-up (${s.warmUpMinutes} min) to the end of the load, leaving out the ${s.afterKillSeconds} s after each ` +
      "kill. A service's RSS and heap are fitted with one intercept per process life and one common slope (a restart " +
      'is a step down, not a trend), and a restarted process is left out for a warm-up of its own, as long as the ' +
      "run's. The slope is given per hour with its 95 % interval (± 1.96 standard errors, " +
      'assuming independent readings, so somewhat narrow). A series **trends** when its slope is beyond the threshold ' +
      'in the bad direction (up for memory, lag, lateness and rows; down for throughput) and its interval leaves ' +
      'out 0; beyond the threshold with an interval that takes in 0 is **unclear** (too noisy to tell).',
    '',
    '| series | slope per hour | 95 % interval | threshold | readings (lives) | verdict |',
    '|---|---|---|---|---|---|',
    ...verdicts.map((v) => {
      const d = digitsFor(v.unit);
      const t = v.trend;
      return (
        `| ${v.label} | ${t ? `${num(t.slopePerHour, d)} ${v.unit}` : '—'} | ${t ? `± ${num(t.ci95PerHour, d)}` : '—'} | ` +
        `${v.bad === 'up' ? '<' : '>'} ${v.bad === 'up' ? '' : '−'}${num(v.threshold, d)} ${v.unit}/h | ` +
        `${t ? `${t.points} (${t.lives})` : '—'} | ${v.verdict === 'flat' || v.verdict === 'no data' ? v.verdict : `**${v.verdict}**`} |`
      );
    }),
    '',
    trending.length === 0
      ? 'No series trends beyond its threshold.'
      : `Beyond the threshold: ${trending.map((v) => v.label).join('; ')}. What was found: apps/bench/README.md ("Soak").`,
    '',
    `Raw readings: [${files.json}](${files.json}) (every reading and kill), [${files.csv}](${files.csv}) (one row per reading).`,
    ...(result.problems.length > 0 ? ['', '## Problems', '', ...result.problems.map((p) => `- ${p}`)] : []),
    '',
  ];
  return lines.join('\n');
}

/** What the report says about vacuuming: the server's autovacuum, and the bench's stand-in runs. */
function vacuumLine(result: SoakResult): string {
  const vacuums = result.vacuums ?? [];
  const failed = vacuums.filter((v) => v.error !== undefined).length;
  if (result.serverAutovacuum === undefined || result.serverAutovacuum === null)
    return "the server's autovacuum setting was not read (in this run it was off, see postgres-autovacuum.txt), and nothing vacuumed the RM tables.";
  if (result.serverAutovacuum) return "the server's autovacuum on, as in production.";
  if (vacuums.length === 0)
    return "the server's autovacuum off, and nothing vacuumed the RM tables (`--vacuum-seconds 0`).";
  const longest = Math.max(...vacuums.map((v) => v.durationS));
  return (
    `the server's autovacuum off (the shared test server's configuration), so the bench ran \`VACUUM (ANALYZE)\` ` +
    `on GTOTVSLINKMESSAGE and \`ANALYZE\` on the history tables every ${result.settings.vacuumSeconds} s in its stead: ` +
    `${vacuums.length} times, the longest ${num(longest, 1)} s${failed > 0 ? `, ${failed} failed` : ''}.`
  );
}

function allocatorLine(env: Readonly<Record<string, string>> | undefined): string {
  if (env === undefined) return "its defaults (the run predates the images' MALLOC_* settings).";
  const pairs = Object.entries(env);
  if (pairs.length === 0) return 'its defaults (`--no-allocator-env`, or the images set none).';
  return `${pairs.map(([k, v]) => `\`${k}=${v}\``).join(' ')} for the client services (from docker/Dockerfile's runtime stage).`;
}
