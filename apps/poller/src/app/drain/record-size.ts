import type { EventRecord } from '@smartlink/messaging';

/** Kafka's per-record framing (offset delta, timestamp delta, lengths, attributes), rounded up generously. */
const RECORD_OVERHEAD_BYTES = 64;

/** About how many bytes a record takes in a Kafka record batch: key, value, headers and framing. */
export function recordSize(record: EventRecord): number {
  let size = RECORD_OVERHEAD_BYTES + Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  }
  return size;
}
