import { SmartLinkHeaders, type ConsumedMessage, type KafkaClient } from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';
import {
  readBenchEvent,
  readOutcomeRecord,
  type BenchEvent,
  type OutcomeRecord,
} from '../analysis/bench-event';
import type { CommandRecord } from '../analysis/event-analysis';

/**
 * Reads a system's lifecycle events whole, the received events (`<ns>.received`) and the event log (`<ns>.events`),
 * each from the beginning in a consumer group of its own, until the group has caught up with the end; run once the
 * load is over, so reading costs the measured services nothing.
 */
export async function readEventLog(client: KafkaClient, timeoutMs = 600_000): Promise<BenchEvent[]> {
  const events: BenchEvent[] = [];
  for (const topic of [client.topics.received, client.topics.events]) {
    await readTopic(client, topic, timeoutMs, (record) => {
      const event = readBenchEvent(record.value.toString('utf8'), record.timestamp);
      if (event) events.push(event);
    });
  }
  return events;
}

/**
 * Reads the outcomes topic (`<ns>.outcomes`) whole, as {@link readEventLog} reads the event log: every outcome with
 * its record timestamp. Started markers and records that are not outcomes are skipped.
 */
export async function readOutcomeRecords(client: KafkaClient, timeoutMs = 600_000): Promise<OutcomeRecord[]> {
  const outcomes: OutcomeRecord[] = [];
  await readTopic(client, client.topics.outcomes, timeoutMs, (record) => {
    const outcome = readOutcomeRecord(record.value.toString('utf8'), record.timestamp);
    if (outcome) outcomes.push(outcome);
  });
  return outcomes;
}

/**
 * Reads a command topic (`<ns>.cmd.<Command>`) whole, as {@link readEventLog} reads the event log: for each record the
 * message id and attempt its headers carry, and its record timestamp. Records without them are skipped.
 */
export async function readCommandRecords(
  client: KafkaClient,
  command: string,
  timeoutMs = 600_000,
): Promise<CommandRecord[]> {
  const commands: CommandRecord[] = [];
  await readTopic(client, client.topics.command(command), timeoutMs, (record) => {
    const messageId = record.headers[SmartLinkHeaders.messageId];
    const attempt = Number(record.headers[SmartLinkHeaders.attempt]);
    if (messageId !== undefined && Number.isInteger(attempt)) {
      commands.push({ messageId, attempt, timestamp: record.timestamp });
    }
  });
  return commands;
}

/** Reads `topic` from the beginning in a group of the bench's own (outside the system's namespace) up to its end. */
async function readTopic(
  client: KafkaClient,
  topic: string,
  timeoutMs: number,
  onRecord: (record: ConsumedMessage) => void,
): Promise<void> {
  const groupId = uniqueName('bench_reader');
  const consumer = client.createConsumer({
    groupId,
    topics: [topic],
    maxBytesPerPartition: 4 * 1024 * 1024,
    handler: async (records) => records.forEach(onRecord),
  });
  const lag = client.createGroupLag();
  try {
    await consumer.start();
    await waitFor(async () => consumer.isRunning() && (await lag.read(groupId, topic)).total === 0, {
      description: `the reader to reach the end of ${topic}`,
      timeoutMs,
      intervalMs: 1_000,
    });
  } finally {
    await consumer.stop();
    await lag.disconnect();
  }
}
