import net from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { parseKafkaSettings, type KafkaSettings } from '../src';

/** The client libraries producers and consumers can run on (KAFKA_CLIENT); the suite runs their tests on each. */
export const CLIENT_KINDS = ['kafkajs', 'platformatic'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** The broker the jest global setup made sure answers (tools/kafka, or the cluster in KAFKA_BROKERS). */
export function testBrokers(): string {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run these tests through `nx run messaging:integration`');
  return brokers;
}

/** Settings for the test broker; quick retries so failure paths don't take the production backoff. */
export function testSettings(env: Record<string, string> = {}): KafkaSettings {
  return parseKafkaSettings({
    KAFKA_BROKERS: testBrokers(),
    KAFKA_CLIENT_ID: 'messaging-int-spec',
    KAFKA_RETRY_INITIAL_MS: '100',
    KAFKA_RETRY_MAX_MS: '1000',
    ...env,
  });
}

/** Collects kafkajs' log lines instead of printing them, so tests can assert on them and runs stay readable. */
export class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: string) {
    this.lines.push(`log ${message}`);
  }
  error(message: string) {
    this.lines.push(`error ${message}`);
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`);
  }
  debug(message: string) {
    this.lines.push(`debug ${message}`);
  }
}

/** Committed offsets of a group, read with a separate plain kafkajs admin: an observer independent of our code. */
export async function committedOffsets(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = new Kafka({ brokers: testBrokers().split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((result?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** A localhost port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
