import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type ProducerBatch,
  type RecordMetadata,
} from 'kafkajs';
import { EventProducer, MAX_MERGED_BYTES, type ProducerPort } from './event-producer';

class FakeProducer implements ProducerPort {
  connects = 0;
  disconnects = 0;
  readonly batches: ProducerBatch[] = [];
  connectError: Error | null = null;
  sendError: Error | null = null;
  /** Errors the next sends throw, one each, before `sendError` applies. */
  failNext: Error[] = [];
  calls = 0;

  async connect(): Promise<void> {
    this.connects += 1;
    if (this.connectError) throw this.connectError;
  }
  async disconnect(): Promise<void> {
    this.disconnects += 1;
  }
  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.calls += 1;
    const next = this.failNext.shift();
    if (next) throw next;
    if (this.sendError) throw this.sendError;
    this.batches.push(batch);
    return [];
  }
}

const unreachable = () =>
  new KafkaJSNumberOfRetriesExceeded(
    new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1'),
    {
      retryCount: 1,
      retryTime: 10,
    },
  );

/** These tests are about merging and splitting requests; retries have their own below. */
const NO_RETRY = { retries: 0, initialRetryTimeMs: 1, maxRetryTimeMs: 1 };

describe('EventProducer', () => {
  let fake: FakeProducer;
  let producer: EventProducer;

  beforeEach(() => {
    fake = new FakeProducer();
    // No waiting between retries in these tests; the retries themselves are tested below.
    producer = new EventProducer(fake, MAX_MERGED_BYTES, undefined, async () => undefined);
  });

  it('sends our records with acks=all, keys, values and headers as given', async () => {
    await producer.send('smartlink.logs', [
      { key: 'm-1', value: '{"type":0}', headers: { 'message-id': 'm-1' } },
      { key: 'm-2', value: Buffer.from([0, 1, 2]) },
    ]);

    expect(fake.batches).toEqual([
      {
        acks: -1,
        topicMessages: [
          {
            topic: 'smartlink.logs',
            messages: [
              { key: 'm-1', value: '{"type":0}', headers: { 'message-id': 'm-1' } },
              { key: 'm-2', value: Buffer.from([0, 1, 2]) },
            ],
          },
        ],
      },
    ]);
  });

  it('sends several topics in one batch and skips empty ones', async () => {
    await producer.sendBatch([
      { topic: 'a', records: [{ key: '1', value: 'x' }] },
      { topic: 'b', records: [] },
      { topic: 'c', records: [{ key: '2', value: 'y' }] },
    ]);

    expect(fake.batches[0]?.topicMessages?.map((t) => t.topic)).toEqual(['a', 'c']);
  });

  it('does not touch Kafka for nothing to send', async () => {
    await producer.sendBatch([{ topic: 'a', records: [] }]);
    expect(fake.connects).toBe(0);
  });

  it('connects once, on the first send, even when sends race', async () => {
    await Promise.all([
      producer.send('a', [{ key: '1', value: 'x' }]),
      producer.send('a', [{ key: '2', value: 'y' }]),
    ]);

    expect(fake.connects).toBe(1);
    expect(producer.isConnected()).toBe(true);
  });

  it('fails a send with a retriable KAFKA_UNAVAILABLE when the cluster is unreachable', async () => {
    fake.sendError = unreachable();
    await expect(producer.send('a', [{ key: '1', value: 'x' }])).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      retriable: true,
      message: expect.stringContaining('while sending to a'),
    });
  });

  it('retries the connection on the next send after a failed connect', async () => {
    fake.connectError = unreachable();
    await expect(producer.connect()).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE' });

    fake.connectError = null;
    await producer.send('a', [{ key: '1', value: 'x' }]);

    expect(fake.connects).toBe(2);
    expect(fake.batches).toHaveLength(1);
  });

  it('disconnects only when connected', async () => {
    await producer.disconnect();
    expect(fake.disconnects).toBe(0);

    await producer.connect();
    await producer.disconnect();
    expect(fake.disconnects).toBe(1);
    expect(producer.isConnected()).toBe(false);
  });

  describe('when sends arrive while a request is in flight', () => {
    /** A producer whose requests finish only when the test says so. */
    class GatedProducer extends FakeProducer {
      readonly gates: Array<{ open: () => void; fail: (error: Error) => void }> = [];
      override async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
        await new Promise<void>((open, fail) => this.gates.push({ open, fail }));
        this.batches.push(batch);
        return [];
      }
    }
    const record = (key: string, bytes = 1) => ({ key, value: 'v'.repeat(bytes) });
    const keysOf = (batch: ProducerBatch | undefined) =>
      batch?.topicMessages?.map((t) => [t.topic, t.messages.map((m) => m.key)]);
    const settle = () => new Promise((resolve) => setImmediate(resolve));

    let gated: GatedProducer;
    beforeEach(() => {
      gated = new GatedProducer();
    });

    it('sends them together in the next request, in the order they came, and resolves each', async () => {
      const merging = new EventProducer(gated, MAX_MERGED_BYTES, NO_RETRY);
      const done: string[] = [];
      const first = merging.send('a', [record('1')]).then(() => done.push('1'));
      await settle();
      const later = [
        merging.send('a', [record('2')]).then(() => done.push('2')),
        merging
          .sendBatch([
            { topic: 'b', records: [record('3')] },
            { topic: 'a', records: [record('4')] },
          ])
          .then(() => done.push('3+4')),
      ];
      await settle();

      expect(gated.gates).toHaveLength(1); // the later sends wait for the first request
      gated.gates[0]?.open();
      await first;
      await settle();
      expect(gated.gates).toHaveLength(2); // ...and go out together
      gated.gates[1]?.open();
      await Promise.all(later);

      expect(gated.batches.map((b) => b.acks)).toEqual([-1, -1]);
      expect(keysOf(gated.batches[1])).toEqual([
        ['a', ['2', '4']],
        ['b', ['3']],
      ]);
      expect(done).toEqual(['1', '2', '3+4']);
    });

    it('puts no more than MAX_MERGED_BYTES into one request, yet sends a larger send alone', async () => {
      const merging = new EventProducer(gated, 100, NO_RETRY);
      const sends = [
        merging.send('a', [record('big', 150)]),
        merging.send('a', [record('x', 60)]),
        merging.send('a', [record('y', 30)]),
        merging.send('a', [record('z', 30)]),
      ];
      for (let i = 0; i < 3; i += 1) {
        await settle();
        gated.gates[i]?.open();
      }
      await Promise.all(sends);

      expect(gated.batches.map(keysOf)).toEqual([[['a', ['big']]], [['a', ['x', 'y']]], [['a', ['z']]]]);
      expect(MAX_MERGED_BYTES).toBeLessThan(1_048_588); // Kafka's default message.max.bytes
    });

    it('tries each send of a refused merged request on its own, so only the one at fault fails', async () => {
      const merging = new EventProducer(gated, MAX_MERGED_BYTES, NO_RETRY);
      const first = merging.send('a', [record('1')]);
      await settle();
      const good = merging.send('a', [record('2')]);
      const bad = merging.send('missing', [record('3')]);
      await settle();
      gated.gates[0]?.open();
      await first;
      await settle();
      const refused = new KafkaJSProtocolError('This server does not host this topic-partition');
      gated.gates[1]?.fail(refused); // the merged request of 2 and 3
      await settle();
      gated.gates[2]?.open(); // 2 alone
      await good;
      await settle();
      gated.gates[3]?.fail(refused); // 3 alone

      await expect(bad).rejects.toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        message: expect.stringContaining('Kafka refused sending to missing'),
      });
      expect(gated.batches.map(keysOf)).toEqual([[['a', ['1']]], [['a', ['2']]]]);
    });

    it('fails every send of a merged request at once when the cluster is unreachable', async () => {
      const merging = new EventProducer(gated, MAX_MERGED_BYTES, NO_RETRY);
      const first = merging.send('a', [record('1')]);
      await settle();
      const others = [merging.send('a', [record('2')]), merging.send('b', [record('3')])];
      for (const send of others) send.catch(() => undefined);
      await settle();
      gated.gates[0]?.open();
      await first;
      await settle();
      gated.gates[1]?.fail(unreachable());

      await expect(others[0]).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
      await expect(others[1]).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
      expect(gated.gates).toHaveLength(2);
    });
  });

  describe('retries', () => {
    const notLeader = () =>
      Object.assign(new KafkaJSProtocolError('This server is not the leader for that topic-partition'), {
        type: 'NOT_LEADER_OR_FOLLOWER',
        retriable: true,
      });
    let slept: number[];
    let retrying: EventProducer;

    beforeEach(() => {
      slept = [];
      retrying = new EventProducer(
        fake,
        MAX_MERGED_BYTES,
        { retries: 3, initialRetryTimeMs: 100, maxRetryTimeMs: 150 },
        async (ms) => {
          slept.push(ms);
        },
      );
    });

    it('sends the whole request again after a retriable error, every record of it, and resolves then', async () => {
      fake.failNext = [notLeader()];
      await retrying.sendBatch([
        { topic: 'smartlink.events', records: [{ key: 'm-1', value: 'a' }] },
        { topic: 'smartlink.logs', records: [{ key: 'm-1', value: 'b' }] },
      ]);

      expect(fake.calls).toBe(2);
      expect(fake.batches.map((b) => b.topicMessages?.map((t) => t.topic))).toEqual([
        ['smartlink.events', 'smartlink.logs'],
      ]);
      expect(retrying.retried).toBe(1);
      expect(slept).toHaveLength(1);
      expect(slept[0]).toBeGreaterThanOrEqual(80);
      expect(slept[0]).toBeLessThanOrEqual(120);
    });

    it('backs off up to the longest delay, and after the last retry fails the send with the error', async () => {
      fake.sendError = notLeader();
      await expect(retrying.send('t', [{ key: 'k', value: 'v' }])).rejects.toMatchObject({
        code: 'KAFKA_UNAVAILABLE', // a partition without its leader is a cluster not ready yet
        retriable: true,
      });
      expect(fake.calls).toBe(4);
      expect(slept).toHaveLength(3);
      expect(Math.max(...slept)).toBeLessThanOrEqual(180);
    });

    it('does not send again what retrying cannot fix', async () => {
      fake.sendError = Object.assign(
        new KafkaJSProtocolError('The request included a message larger than allowed'),
        {
          type: 'MESSAGE_TOO_LARGE',
          retriable: false,
        },
      );
      await expect(retrying.send('t', [{ key: 'k', value: 'v' }])).rejects.toMatchObject({
        retriable: false,
      });
      expect(fake.calls).toBe(1);
      expect(slept).toEqual([]);
    });
  });
});
