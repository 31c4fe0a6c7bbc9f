import type { PlatformaticProducer } from '../client/platformatic-client-factory';
import type { ProducerPort, ProducerRequest } from './event-producer';

/** The part of a @platformatic/kafka producer the port uses; narrow so unit tests can pass a typed double. */
export type PlatformaticProducerClient = Pick<
  PlatformaticProducer,
  'initIdempotentProducer' | 'send' | 'close'
>;

/**
 * `EventProducer`'s port on @platformatic/kafka's idempotent producer (acks=all, see `PlatformaticClientFactory`).
 *
 * Connecting asks the cluster for a producer id: the first request that needs a ready cluster, so a service's
 * start-up waits for Kafka there as it does with kafkajs. A closed @platformatic/kafka client never opens again, so
 * `disconnect` drops it and the next `connect` builds a new one.
 */
export class PlatformaticProducerPort implements ProducerPort {
  private producer: PlatformaticProducerClient | null = null;

  constructor(private readonly create: () => PlatformaticProducerClient) {}

  async connect(): Promise<void> {
    await this.current().initIdempotentProducer({});
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.close(true);
  }

  async sendBatch({ acks, topicMessages }: ProducerRequest): Promise<void> {
    await this.current().send({
      acks,
      messages: topicMessages.flatMap(({ topic, messages }) =>
        messages.map(({ key, value, headers }) => ({ topic, key, value, ...(headers && { headers }) })),
      ),
    });
  }

  private current(): PlatformaticProducerClient {
    this.producer ??= this.create();
    return this.producer;
  }
}
