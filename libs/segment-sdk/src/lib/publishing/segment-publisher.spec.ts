import { outboundMessageCodec, type EventRecord } from '@smartlink/messaging';
import { InvalidPublishError } from '../errors/invalid-publish-error';
import { SegmentStats } from '../stats/segment-stats';
import { SegmentPublisher } from './segment-publisher';

class SendingDouble {
  readonly calls: string[] = [];
  readonly sent: { topic: string; records: readonly EventRecord[] }[] = [];
  failEnsure = false;

  readonly topic = {
    name: 'ns.outbound',
    ensure: async () => {
      this.calls.push('ensure');
      if (this.failEnsure) throw new Error('broker unavailable');
    },
  };

  readonly producer = {
    send: async (topic: string, records: readonly EventRecord[]) => {
      this.calls.push(`send ${records.length}`);
      this.sent.push({ topic, records });
    },
  };
}

function setup() {
  const kafka = new SendingDouble();
  const stats = new SegmentStats('hr');
  let n = 0;
  const publisher = new SegmentPublisher({
    topic: kafka.topic,
    producer: kafka.producer,
    maxDataBytes: 64,
    stats,
    newId: () => `generated-${++n}`,
  });
  return { publisher, kafka, stats };
}

describe('SegmentPublisher', () => {
  it('resolves with the id once the outbound topic has the message, keyed by it', async () => {
    const { publisher, kafka, stats } = setup();

    const id = await publisher.publish({ command: 'SGDPTenantMetadata', audience: 'SGDP', data: '{"a":1}' });

    expect(id).toBe('generated-1');
    expect(kafka.calls).toEqual(['ensure', 'send 1']);
    const [{ topic, records }] = kafka.sent as [{ topic: string; records: EventRecord[] }];
    expect(topic).toBe('ns.outbound');
    expect(records[0]?.key).toBe('generated-1');
    expect(outboundMessageCodec.decode(Buffer.from(records[0]?.value ?? ''))).toEqual({
      ok: true,
      value: { command: 'SGDPTenantMetadata', audience: 'SGDP', data: '{"a":1}' },
    });
    expect(stats.snapshot().published).toBe(1);
  });

  it('uses the id the caller gives, so a retried publish is absorbed downstream', async () => {
    const { publisher, kafka } = setup();

    await expect(
      publisher.publish({ id: 'mine-1', command: 'X', audience: 'Y', data: '', correlatedId: 'c-1' }),
    ).resolves.toBe('mine-1');
    expect(kafka.sent[0]?.records[0]?.key).toBe('mine-1');
  });

  describe('when the input breaks the contract', () => {
    it('rejects with InvalidPublishError and sends nothing', async () => {
      const { publisher, kafka, stats } = setup();

      await expect(publisher.publish({ command: 'bad name', audience: 'SGDP', data: '' })).rejects.toThrow(
        InvalidPublishError,
      );
      await expect(
        publisher.publish({ command: 'X', audience: 'SGDP', data: 'x'.repeat(65) }),
      ).rejects.toThrow(/data is 65 bytes, at most 64/);
      expect(kafka.calls).toEqual([]);
      expect(stats.snapshot().published).toBe(0);
    });

    it('validates every message of publishAll before sending any', async () => {
      const { publisher, kafka } = setup();

      await expect(
        publisher.publishAll([
          { command: 'X', audience: 'Y', data: 'ok' },
          { command: 'X', audience: 'a/b', data: 'ok' },
        ]),
      ).rejects.toMatchObject({ field: 'audience' });
      expect(kafka.calls).toEqual([]);
    });
  });

  it('publishes several messages in one send and returns their ids in order', async () => {
    const { publisher, kafka, stats } = setup();

    const ids = await publisher.publishAll([
      { command: 'X', audience: 'Y', data: '1' },
      { command: 'X', audience: 'Y', data: '2', id: 'given' },
    ]);

    expect(ids).toEqual(['generated-1', 'given']);
    expect(kafka.calls).toEqual(['ensure', 'send 2']);
    expect(stats.snapshot().published).toBe(2);
  });

  it('rejects and counts nothing when the topic cannot be made sure of', async () => {
    const { publisher, kafka, stats } = setup();
    kafka.failEnsure = true;

    await expect(publisher.publish({ command: 'X', audience: 'Y', data: '' })).rejects.toThrow(
      'broker unavailable',
    );
    expect(kafka.sent).toEqual([]);
    expect(stats.snapshot().published).toBe(0);
  });
});
