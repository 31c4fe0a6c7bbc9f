import type { TopicRecords } from '@smartlink/messaging';
import { recordSize } from './record-size';
import { sendChunks } from './send-chunks';

const record = (key: string, bytes: number) => ({ key, value: 'x'.repeat(bytes) });

describe('sendChunks', () => {
  it('sends a normal batch in one call', () => {
    const batches: TopicRecords[] = [
      { topic: 'events', records: [record('a', 10), record('b', 10)] },
      { topic: 'deadletter', records: [record('c', 10)] },
    ];
    expect(sendChunks(batches, 10_000)).toEqual([batches]);
  });

  it('splits large records over calls that each fit, in order', () => {
    const records = [record('a', 400), record('b', 400), record('c', 400)];
    const limit = recordSize(records[0] as { key: string; value: string }) * 2;

    const chunks = sendChunks([{ topic: 'events', records }], limit);

    expect(chunks.map((chunk) => chunk.flatMap((t) => t.records.map((r) => r.key)))).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
  });

  it('sends a record above the limit alone rather than dropping it', () => {
    expect(sendChunks([{ topic: 'events', records: [record('big', 500)] }], 100)).toHaveLength(1);
  });

  it('sends nothing for no records', () => {
    expect(sendChunks([{ topic: 'events', records: [] }], 100)).toEqual([]);
  });
});
