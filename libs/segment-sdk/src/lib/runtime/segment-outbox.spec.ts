import { logRecordRecord } from '@smartlink/messaging';
import { RecordingProducer, RecordingStdout } from '../../../test/unit-doubles';
import { LateLogBuffer } from '../logging/late-log-buffer';
import { SegmentOutbox } from './segment-outbox';

const record = (key: string) => ({ key, value: `{"k":"${key}"}` });

function setup() {
  const producer = new RecordingProducer();
  const retries: number[] = [];
  const lateLogs = new LateLogBuffer();
  const outbox = new SegmentOutbox({
    topics: { outbound: 'ns.outbound', outcomes: 'ns.outcomes', logs: 'ns.logs' },
    producer,
    lateLogs,
    stdout: new RecordingStdout(),
    backoff: async (retry) => {
      retries.push(retry);
    },
  });
  const sent = (topic: string) =>
    producer.batches.flatMap((b) =>
      b.filter((e) => e.topic === topic).flatMap((e) => e.records.map((r) => r.key)),
    );
  return { producer, outbox, retries, sent, lateLogs };
}

describe('SegmentOutbox', () => {
  it('sends what queued while a send was in flight together in the next send, in queue order', async () => {
    const { producer, outbox, sent } = setup();
    let open!: () => void;
    producer.gate = new Promise<void>((resolve) => (open = resolve));
    const first = outbox.send({ outcomes: [record('a')] });
    await new Promise((resolve) => setImmediate(resolve));
    const second = outbox.send({ outcomes: [record('b')] });
    const third = outbox.send({ outbound: [record('reply-c')], outcomes: [record('c')] });
    open();
    producer.gate = null;
    await Promise.all([first, second, third]);

    expect(producer.batches).toHaveLength(2);
    expect(sent('ns.outcomes')).toEqual(['a', 'b', 'c']);
    expect(producer.batches[1]?.map((e) => e.topic)).toEqual(['ns.outbound', 'ns.outcomes']);
  });

  it('retries a failed send with backoff, keeping its order, and resolves only once it is durable', async () => {
    const { producer, outbox, retries, sent } = setup();
    producer.failures = 2;
    let done = false;
    const sending = outbox.send({ outcomes: [record('a')] }).then(() => (done = true));
    const later = outbox.send({ outcomes: [record('b')] });
    await Promise.all([sending, later]);

    expect(done).toBe(true);
    expect(retries).toEqual([1, 2]);
    expect(sent('ns.outcomes')).toEqual(['a', 'b']);
  });

  it('carries the late log lines with the next send', async () => {
    const { outbox, sent, lateLogs } = setup();
    const late = { type: 0 as const, message: 'late', date: new Date(0).toISOString(), source: 'segment:hr' };
    lateLogs.add(late);
    await outbox.send({ outcomes: [record('a')] });
    expect(sent('ns.logs')).toHaveLength(1);
    expect(logRecordRecord(late).value).toContain('late');
  });
});
