import { uniqueName } from '@smartlink/testing';
import type { BatchConsumer, ConsumedMessage, KafkaClient } from '@smartlink/messaging';

/** Reads topics from the beginning in a group of its own and keeps every record, as an outside observer. */
export class TopicCollector {
  private constructor(
    private readonly consumer: BatchConsumer,
    readonly records: ConsumedMessage[],
  ) {}

  static async start(client: KafkaClient, topics: string[]): Promise<TopicCollector> {
    const records: ConsumedMessage[] = [];
    const consumer = client.createConsumer({
      groupId: uniqueName('poller_it_observer'),
      topics,
      handler: async (messages) => {
        records.push(...messages);
      },
    });
    await consumer.start();
    return new TopicCollector(consumer, records);
  }

  on(topic: string): ConsumedMessage[] {
    return this.records.filter((record) => record.topic === topic);
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
