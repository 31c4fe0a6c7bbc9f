import { KafkaClient, parseKafkaSettings, type ConsumedMessage } from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';

/**
 * Reads topics of the system under test from the beginning, in consumer groups of its own: what the event log, the
 * dead-letter topic and the logs topic hold, to check them against what the cloud acked.
 */
export class TopicReader {
  private readonly client: KafkaClient;
  private readonly collected = new Map<string, ConsumedMessage[]>();

  constructor(brokers: string, namespace: string) {
    this.client = new KafkaClient(
      parseKafkaSettings({
        KAFKA_BROKERS: brokers,
        SMARTLINK_TOPIC_NAMESPACE: namespace,
        KAFKA_LOG_LEVEL: 'nothing',
      }),
    );
  }

  get topics() {
    return this.client.topics;
  }

  async collect(topic: string): Promise<void> {
    const records: ConsumedMessage[] = [];
    this.collected.set(topic, records);
    const consumer = this.client.createConsumer({
      groupId: uniqueName('reliability_reader'),
      topics: [topic],
      handler: async (batch) => {
        records.push(...batch);
      },
    });
    await consumer.start();
    await waitFor(() => consumer.isRunning(), { description: `the reader of ${topic} to join its group` });
  }

  records(topic: string): readonly ConsumedMessage[] {
    const records = this.collected.get(topic);
    if (!records) throw new Error(`${topic} is not collected`);
    return records;
  }

  /** The keys read so far from `topic`. */
  keys(topic: string): Set<string> {
    return new Set(this.records(topic).map((r) => r.key ?? ''));
  }

  stop(): Promise<void> {
    return this.client.stopConsumers();
  }
}
