import { KafkaClient, parseKafkaSettings, type ConsumedMessage } from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';

/**
 * Reads topics of a running system from the beginning, in consumer groups of its own, so a test can check what the
 * services wrote to the received topic, the event log, the dead-letter topic and the logs topic. `stop()` leaves the groups.
 */
export class TopicObserver {
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

  /** Starts reading `topic` (which must exist: the services ensure theirs at start-up). */
  async collect(topic: string): Promise<void> {
    const records: ConsumedMessage[] = [];
    this.collected.set(topic, records);
    const consumer = this.client.createConsumer({
      groupId: uniqueName('topic_observer'),
      topics: [topic],
      handler: async (batch) => {
        records.push(...batch);
      },
    });
    await consumer.start();
    await waitFor(() => consumer.isRunning(), { description: `the observer of ${topic} to join its group` });
  }

  /** The records read so far from `topic`. */
  records(topic: string): readonly ConsumedMessage[] {
    const records = this.collected.get(topic);
    if (!records) throw new Error(`${topic} is not collected`);
    return records;
  }

  /** The values read so far from `topic`, parsed as JSON. */
  values(topic: string): Record<string, unknown>[] {
    return this.records(topic).map((r) => JSON.parse(r.value.toString('utf8')) as Record<string, unknown>);
  }

  /** The keys read so far from `topic`. */
  keys(topic: string): Set<string> {
    return new Set(this.records(topic).map((r) => r.key ?? ''));
  }

  stop(): Promise<void> {
    return this.client.stopConsumers();
  }
}
