import { spawn } from 'node:child_process';
import type { KafkaClient } from '@smartlink/messaging';
import { benchKafkaClient } from '../bench-kafka-client';
import type { ClientInFlightRun, ClientRun, KafkaClientLimit } from '../report/bench-result';
import {
  checkReadBack,
  clientRunFigures,
  clientSlug,
  errorText,
  keyNumber,
  numberedKey,
  sendInWindow,
  topicRecords,
  type ClientRunFigures,
  type ReadBackCheck,
} from './client-figures';
import {
  failure,
  RAW_CLIENT_PACKAGES,
  type RawClientPackage,
  type RawKafkaClient,
  type RawRecord,
} from './raw-clients/raw-client';

/** Records per send, as in issue 14's comparison. */
export const CLIENT_BATCH_RECORDS = 100;
/**
 * Sends outstanding at once in the run that asks for several requests in flight: the Java producer's default
 * `max.in.flight.requests.per.connection`, and the most Kafka keeps sequence state for with an idempotent producer.
 */
export const CLIENT_IN_FLIGHT = 5;
/**
 * Sends, one at a time, before the clock starts: the connections, the producer id and the metadata, and enough calls
 * for V8 to have optimised the per-send code of the fresh process, which a handful of sends are not.
 */
const WARM_UP_BATCHES = 50;
/** A run that makes no progress for this long has failed (a client retrying without end, a group never joined). */
const STALL_MS = 30_000;

/** What one child process measures: one client, on topics the parent created. */
export interface ClientLimitJob {
  readonly package: RawClientPackage;
  readonly workspace: string;
  readonly brokers: string;
  readonly namespace: string;
  /** `<namespace>.bench.client-<package>`: the produce run's topic, and the prefix of the other names. */
  readonly base: string;
  readonly partitions: number;
  readonly records: number;
  readonly recordBytes: number;
}

/** The bench's hidden command that runs one {@link ClientLimitJob} (main.ts): `main.js client-limit '<job JSON>'`. */
export const CLIENT_LIMIT_COMMAND = 'client-limit';

/**
 * Each Kafka client library on its own, one after the other, each in a child process of its own (a fresh process:
 * no other client's compiled code, heap or garbage in its figures, and the child's CPU time is the client's), before
 * the system starts: records of `recordBytes` keyed like ours, `CLIENT_BATCH_RECORDS` per send, idempotent producer,
 * acks=all, into topics laid out like ours.
 *
 * 1. Produce, one send at a time: records/s and CPU per 1,000 records.
 * 2. The same with `CLIENT_IN_FLIGHT` sends outstanding and as many requests in flight asked of the client (issue 14
 *    saw @platformatic/kafka fail with OUT_OF_ORDER_SEQUENCE_NUMBER so): the error if a send fails, and the topic
 *    read back, each partition in offset order, for records missing, duplicated or out of order.
 * 3. Consume: a new group reads the first topic from its earliest offset, committing nothing; the clock and the CPU
 *    reading start once the group is joined and stop at the last record.
 *
 * A failing step is reported in its place and the next one still runs; a client whose process fails is a problem.
 */
export async function measureKafkaClients(input: {
  readonly client: KafkaClient;
  readonly workspace: string;
  readonly brokers: string;
  readonly records: number;
  readonly recordBytes: number;
  readonly progress: (message: string) => void;
  readonly problem: (message: string) => void;
}): Promise<KafkaClientLimit[]> {
  const { client } = input;
  const results: KafkaClientLimit[] = [];
  for (const pkg of RAW_CLIENT_PACKAGES) {
    const base = `${client.topics.namespace}.bench.client-${clientSlug(pkg)}`;
    const spec = client.topicSpec(base);
    const admin = client.createAdmin();
    try {
      await admin.ensureTopics([spec, client.topicSpec(`${base}-in-flight`)]);
    } finally {
      await admin.disconnect();
    }
    const job: ClientLimitJob = {
      package: pkg,
      workspace: input.workspace,
      brokers: input.brokers,
      namespace: client.topics.namespace,
      base,
      partitions: spec.partitions,
      records: input.records,
      recordBytes: input.recordBytes,
    };
    try {
      const result = await inChildProcess(job);
      input.progress(`limits: ${result.client} ${result.version}: ${summary(result)}`);
      results.push(result);
    } catch (error) {
      input.problem(`Kafka client limit of ${pkg}: ${errorText(error)}`);
    }
  }
  return results;
}

/** Runs the job in `node <this bench's main.js> client-limit <job>`; its last line of output is the result. */
function inChildProcess(job: ClientLimitJob): Promise<KafkaClientLimit> {
  return new Promise((resolve, reject) => {
    const main = process.argv[1] as string;
    const child = spawn(process.execPath, [main, CLIENT_LIMIT_COMMAND, JSON.stringify(job)], {
      cwd: job.workspace,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as KafkaClientLimit);
      } catch (error) {
        reject(new Error(`the client's process failed (${(error as Error).message}): ${last.slice(-500)}`));
      }
    });
  });
}

/** The child's side: measures one client in this process (see {@link measureKafkaClients}). */
export async function runClientLimitJob(
  job: ClientLimitJob,
  progress: (message: string) => void,
): Promise<KafkaClientLimit> {
  // Loaded only here: @platformatic/kafka is an ES module, which the unit tests' CommonJS runtime cannot load
  // (soak-runner.spec.ts reaches this file through bench-runner.ts).
  const { rawKafkaClient } = await import('./raw-clients');
  const raw = rawKafkaClient(job.package, job.workspace, job.brokers.split(','));
  progress(`limits: ${raw.name} ${raw.version} on its own (produce; ${CLIENT_IN_FLIGHT} in flight; consume)`);
  // Only to read end offsets; the parent's settings, so the same broker and namespace.
  const offsets = benchKafkaClient(job.brokers, job.namespace);
  return measureClient(raw, offsets, job);
}

async function measureClient(
  raw: RawKafkaClient,
  client: KafkaClient,
  input: ClientLimitJob,
): Promise<KafkaClientLimit> {
  const { base } = input;
  const topics = { produce: base, inFlight: `${base}-in-flight` };
  const warmUpRecords = WARM_UP_BATCHES * CLIENT_BATCH_RECORDS;
  const records = numberedRecords(warmUpRecords + input.records, input.recordBytes, input.partitions);

  const produce = await produceRun(raw, topics.produce, records, 1);
  const inFlight = await produceRun(raw, topics.inFlight, records, CLIENT_IN_FLIGHT);
  const consume = await attempt(
    async () =>
      (await consumeRun(raw, topics.produce, `${base}.consume`, await recordsOn(client, topics.produce))).run,
  );
  let readBack: ReadBackCheck | null = null;
  let readBackError: string | null = null;
  try {
    const partitions = new Map<number, number[]>();
    const read = await consumeRun(
      raw,
      topics.inFlight,
      `${base}.read-back`,
      await recordsOn(client, topics.inFlight),
      (partition, key) => {
        const numbers = partitions.get(partition) ?? [];
        numbers.push(keyNumber(key));
        partitions.set(partition, numbers);
      },
    );
    if (read.run.error !== null) readBackError = read.run.error;
    else readBack = checkReadBack([...partitions.values()], inFlight.acknowledged);
  } catch (error) {
    readBackError = errorText(error);
  }
  const inFlightRun: ClientInFlightRun = {
    ...inFlight.run,
    inFlight: CLIENT_IN_FLIGHT,
    acknowledged: inFlight.acknowledged.length,
    readBack,
    readBackError,
  };
  return {
    client: raw.name,
    version: raw.version,
    partitions: input.partitions,
    records: input.records,
    recordBytes: input.recordBytes,
    batchRecords: CLIENT_BATCH_RECORDS,
    warmUpRecords,
    produce: produce.run,
    produceInFlight: inFlightRun,
    consume,
    consumeMode: raw.consumeMode,
  };
}

/**
 * Records numbered from 0 in their key (read back by the in-flight check), a shared value of `bytes`, and the
 * partitions taken in turn: the partitioner is the caller's choice (libs/messaging brings its own), so neither
 * client's is measured.
 */
function numberedRecords(count: number, bytes: number, partitions: number): RawRecord[] {
  const value = Buffer.alloc(bytes, 'x');
  return Array.from({ length: count }, (_, n) => ({ key: numberedKey(n), value, partition: n % partitions }));
}

/** Sends the records in batches: the warm-up one at a time, then the rest timed with `inFlight` sends outstanding. */
async function produceRun(
  raw: RawKafkaClient,
  topic: string,
  records: readonly RawRecord[],
  inFlight: number,
): Promise<{ readonly run: ClientRun; readonly acknowledged: number[] }> {
  const producer = raw.producer(inFlight);
  const batches: { readonly first: number; readonly size: number; readonly send: () => Promise<void> }[] = [];
  for (let first = 0; first < records.length; first += CLIENT_BATCH_RECORDS) {
    const batch = records.slice(first, first + CLIENT_BATCH_RECORDS);
    batches.push({ first, size: batch.length, send: producer.prepare(topic, batch) });
  }
  // Batches acknowledged, in the order they were; their record numbers are listed after the clock stops.
  const done: (typeof batches)[number][] = [];
  const send = async (batch: (typeof batches)[number]) => {
    await batch.send();
    done.push(batch);
  };
  const acknowledged = () => done.flatMap((b) => Array.from({ length: b.size }, (_, i) => b.first + i));
  try {
    const warmUp = await sendInWindow(batches.slice(0, WARM_UP_BATCHES), 1, send);
    if (warmUp.failed) {
      return {
        run: { figures: null, error: `warm-up: ${errorText(warmUp.error)}` },
        acknowledged: acknowledged(),
      };
    }
    const timed = batches.slice(WARM_UP_BATCHES);
    const startCpu = process.cpuUsage();
    const started = performance.now();
    const outcome = await sendInWindow(timed, inFlight, send);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(startCpu);
    const run: ClientRun = outcome.failed
      ? { figures: null, error: errorText(outcome.error) }
      : runOf(
          clientRunFigures(
            timed.reduce((sum, b) => sum + b.size, 0),
            ms,
            cpu,
          ),
        );
    return { run, acknowledged: acknowledged() };
  } catch (error) {
    return { run: { figures: null, error: errorText(error) }, acknowledged: acknowledged() };
  } finally {
    await withDeadline(producer.close(), STALL_MS, 'closing the producer').catch(() => undefined);
  }
}

/**
 * A new group reads `topic` from the start until it has `expected` records. Timed from the group's first join (the
 * broker holds a new classic group's first join back by `group.initial.rebalance.delay.ms`, which is no client's
 * cost) to the last record; CPU over the same window.
 */
async function consumeRun(
  raw: RawKafkaClient,
  topic: string,
  groupId: string,
  expected: number,
  onRecord: (partition: number, key: Buffer | null | undefined) => void = () => undefined,
): Promise<{ readonly run: ClientRun }> {
  if (expected <= 0) return { run: { figures: null, error: `${topic} holds no records` } };
  let count = 0;
  let bytes = 0;
  let start: { readonly at: number; readonly cpu: NodeJS.CpuUsage } | null = null;
  // Set inside the record callback; an object, so the check after the wait reads what the callback left.
  const measured: { figures: ClientRunFigures | null } = { figures: null };
  let reached!: () => void;
  const allRead = new Promise<void>((resolve) => (reached = resolve));
  const starting = raw.consume(topic, groupId, {
    onJoined: () => {
      start ??= { at: performance.now(), cpu: process.cpuUsage() };
    },
    onRecord: (partition, key, value) => {
      // Every value is touched, so a client that decodes lazily pays for it here as one that does not.
      bytes += value?.length ?? 0;
      onRecord(partition, key);
      count += 1;
      if (count === expected) {
        if (start !== null) {
          measured.figures = clientRunFigures(
            count,
            performance.now() - start.at,
            process.cpuUsage(start.cpu),
          );
        }
        reached();
      }
    },
  });
  let consumer: Awaited<typeof starting>;
  try {
    consumer = await withDeadline(starting, STALL_MS, `${raw.name} ${raw.version} joining ${groupId}`);
  } catch (error) {
    // A consumer that starts after all is stopped, not left reading.
    starting.then((late) => late.stop()).catch(() => undefined);
    return { run: { figures: null, error: errorText(error) } };
  }
  const watch = stallWatch(
    () => count,
    () =>
      `${raw.name} ${raw.version} read ${count} of ${expected} records of ${topic}, none for ${STALL_MS} ms`,
  );
  try {
    await Promise.race([allRead, consumer.failed, watch.stalled]);
  } catch (error) {
    return { run: { figures: null, error: errorText(error) } };
  } finally {
    watch.stop();
    await withDeadline(consumer.stop(), STALL_MS, 'stopping the consumer').catch(() => undefined);
  }
  if (bytes === 0) return { run: { figures: null, error: `${topic}: the records read carried no values` } };
  return {
    run:
      measured.figures === null
        ? { figures: null, error: 'the client reported no group join' }
        : runOf(measured.figures),
  };
}

const runOf = (figures: ClientRunFigures | null): ClientRun =>
  figures === null ? { figures: null, error: 'nothing was measured' } : { figures, error: null };

async function attempt(run: () => Promise<ClientRun>): Promise<ClientRun> {
  try {
    return await run();
  } catch (error) {
    return { figures: null, error: errorText(error) };
  }
}

/** Records on a topic now: the sum of its partitions' end offsets. */
async function recordsOn(client: KafkaClient, topic: string): Promise<number> {
  const offsets = client.createNamespaceOffsets();
  try {
    return topicRecords((await offsets.snapshot()).topics[topic]);
  } finally {
    await offsets.disconnect();
  }
}

/** Rejects once `progress()` has not changed for {@link STALL_MS}; checked every second. */
function stallWatch(
  progress: () => number,
  describe: () => string,
): { readonly stalled: Promise<never>; stop(): void } {
  const { failed, fail } = failure();
  let last = progress();
  let since = performance.now();
  const timer = setInterval(() => {
    const now = progress();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= STALL_MS) {
      fail(new Error(describe()));
    }
  }, 1_000);
  return { stalled: failed, stop: () => clearInterval(timer) };
}

/** The promise, or a rejection naming `what` once `ms` have passed without it settling. */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** One progress line: each run's rate and CPU, or its error. */
function summary(result: KafkaClientLimit): string {
  const run = (name: string, r: ClientRun) =>
    r.figures
      ? `${name} ${Math.round(r.figures.recordsPerSec)} records/s, ${r.figures.cpuMsPer1000} ms CPU per 1,000`
      : `${name} failed: ${r.error ?? 'unknown'}`;
  const check = result.produceInFlight.readBack;
  return [
    run('produce', result.produce),
    run(`${result.produceInFlight.inFlight} in flight`, result.produceInFlight),
    check
      ? `read back ${check.records} of ${result.produceInFlight.acknowledged} acknowledged: ${check.missing} ` +
        `acknowledged missing, ${check.duplicates} duplicated, ${check.outOfOrder} out of order`
      : `read back failed: ${result.produceInFlight.readBackError ?? 'unknown'}`,
    run('consume', result.consume),
  ].join('; ');
}
