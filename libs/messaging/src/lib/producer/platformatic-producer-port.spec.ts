import { PlatformaticProducerPort, type PlatformaticProducerClient } from './platformatic-producer-port';

class FakeProducer {
  readonly calls: string[] = [];
  readonly sent: unknown[] = [];
  async initIdempotentProducer() {
    this.calls.push('init');
    return { producerId: 1n, producerEpoch: 0 };
  }
  async send(options: unknown) {
    this.calls.push('send');
    this.sent.push(options);
    return {};
  }
  async close(force?: boolean) {
    this.calls.push(`close ${force}`);
  }
}

describe('PlatformaticProducerPort', () => {
  let created: FakeProducer[];
  let port: PlatformaticProducerPort;

  beforeEach(() => {
    created = [];
    port = new PlatformaticProducerPort(() => {
      const producer = new FakeProducer();
      created.push(producer);
      return producer as unknown as PlatformaticProducerClient;
    });
  });

  it('connects by taking a producer id, so a cluster not ready fails the connect', async () => {
    await port.connect();
    expect(created.map((p) => p.calls)).toEqual([['init']]);
  });

  it('sends every record of every topic in one send, with acks, keys, values and headers as given', async () => {
    await port.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: 'a', messages: [{ key: 'm-1', value: 'x', headers: { 'message-id': 'm-1' } }] },
        { topic: 'b', messages: [{ key: 'm-2', value: Buffer.from([1]) }] },
      ],
    });

    expect(created[0]?.sent).toEqual([
      {
        acks: -1,
        messages: [
          { topic: 'a', key: 'm-1', value: 'x', headers: { 'message-id': 'm-1' } },
          { topic: 'b', key: 'm-2', value: Buffer.from([1]) },
        ],
      },
    ]);
  });

  it('closes on disconnect and builds a new client on the next connect (a closed one never reopens)', async () => {
    await port.connect();
    await port.disconnect();
    await port.disconnect();
    await port.connect();

    expect(created.map((p) => p.calls)).toEqual([['init', 'close true'], ['init']]);
  });
});
