import type { KafkaClient } from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';
import { readBenchEvent, type BenchEvent } from '../analysis/bench-event';

/**
 * Reads a system's whole event log (`<ns>.events`) from the beginning, in a consumer group of its own, until the
 * group has caught up with the end; run once the load is over, so reading costs the measured services nothing.
 */
export async function readEventLog(client: KafkaClient, timeoutMs = 600_000): Promise<BenchEvent[]> {
  const topic = client.topics.events;
  const groupId = uniqueName('bench_events');
  const events: BenchEvent[] = [];
  const consumer = client.createConsumer({
    groupId,
    topics: [topic],
    maxBytesPerPartition: 4 * 1024 * 1024,
    handler: async (records) => {
      for (const record of records) {
        const event = readBenchEvent(record.value.toString('utf8'), record.timestamp);
        if (event) events.push(event);
      }
    },
  });
  const lag = client.createGroupLag();
  try {
    await consumer.start();
    await waitFor(async () => consumer.isRunning() && (await lag.read(groupId, topic)).total === 0, {
      description: `the reader to reach the end of ${topic}`,
      timeoutMs,
      intervalMs: 1_000,
    });
    return events;
  } finally {
    await consumer.stop();
    await lag.disconnect();
  }
}
