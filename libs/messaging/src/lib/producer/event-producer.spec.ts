import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  type ProducerBatch,
  type RecordMetadata,
} from 'kafkajs';
import { EventProducer, type ProducerPort } from './event-producer';

class FakeProducer implements ProducerPort {
  connects = 0;
  disconnects = 0;
  readonly batches: ProducerBatch[] = [];
  connectError: Error | null = null;
  sendError: Error | null = null;

  async connect(): Promise<void> {
    this.connects += 1;
    if (this.connectError) throw this.connectError;
  }
  async disconnect(): Promise<void> {
    this.disconnects += 1;
  }
  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
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

describe('EventProducer', () => {
  let fake: FakeProducer;
  let producer: EventProducer;

  beforeEach(() => {
    fake = new FakeProducer();
    producer = new EventProducer(fake);
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
});
