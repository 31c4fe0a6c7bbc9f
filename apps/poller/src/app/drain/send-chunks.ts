import type { EventRecord, TopicRecords } from '@smartlink/messaging';
import { recordSize } from './record-size';

/**
 * Splits one batch's records into as few `sendBatch` calls as fit `maxBytes` each, keeping every topic's records
 * in order. A normal batch is one call; only a batch of large messages needs more, because Kafka refuses a
 * partition's record batch above `message.max.bytes` and kafkajs does not split a call by size. A single record is
 * never split: callers keep records under the limit.
 */
export function sendChunks(batches: readonly TopicRecords[], maxBytes: number): TopicRecords[][] {
  const chunks: TopicRecords[][] = [];
  let current = new Map<string, EventRecord[]>();
  let bytes = 0;
  const flush = () => {
    if (current.size === 0) return;
    chunks.push([...current].map(([topic, records]) => ({ topic, records })));
    current = new Map();
    bytes = 0;
  };
  for (const { topic, records } of batches) {
    for (const record of records) {
      const size = recordSize(record);
      if (bytes > 0 && bytes + size > maxBytes) flush();
      const list = current.get(topic) ?? [];
      list.push(record);
      current.set(topic, list);
      bytes += size;
    }
  }
  flush();
  return chunks;
}
