import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { KafkaClient } from '@smartlink/messaging';
import type { KafkaLimit } from '../report/bench-result';
import { parseProducerPerfReport, type ProducerPerfReport } from './producer-perf-report';

/** How long the raw producer runs at the latency run's offered load. */
const AT_RATE_SECONDS = 10;

/**
 * The broker's own producer rate on this machine: Kafka's `kafka-producer-perf-test` (through
 * `tools/kafka/kafka-broker.mjs perf-test`, on the broker's jars and Java) with acks=all and records of the
 * benchmark's message size, into a topic laid out like ours (the configured partitions). Once at full speed, once
 * at the latency run's load for its latency at that rate.
 */
export async function measureKafkaLimit(input: {
  readonly client: KafkaClient;
  readonly workspace: string;
  readonly brokers: string;
  readonly records: number;
  readonly recordBytes: number;
  readonly latencyRate: number;
}): Promise<KafkaLimit> {
  const { client } = input;
  const topic = `${client.topics.namespace}.bench.producer-perf`;
  const spec = client.topicSpec(topic);
  const admin = client.createAdmin();
  try {
    await admin.ensureTopics([spec]);
  } finally {
    await admin.disconnect();
  }
  const run = (records: number, throughput: number) =>
    perfTest(input.workspace, [
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(input.recordBytes),
      '--throughput',
      String(throughput),
      '--producer-props',
      `bootstrap.servers=${input.brokers}`,
      'acks=all',
    ]);
  const full = await run(input.records, -1);
  const atLatencyRate = await run(input.latencyRate * AT_RATE_SECONDS, input.latencyRate);
  return { partitions: spec.partitions, recordBytes: input.recordBytes, full, atLatencyRate };
}

function perfTest(workspace: string, args: readonly string[]): Promise<ProducerPerfReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(workspace, 'tools', 'kafka', 'kafka-broker.mjs'), 'perf-test', '--', ...args],
      { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const report = parseProducerPerfReport(stdout);
      if (code === 0 && report) resolve(report);
      else reject(new Error(`kafka-producer-perf-test failed (exit ${code}): ${stderr.slice(-2_000)}`));
    });
  });
}
