import type { Kafka } from 'kafkajs';
import { TopicAdmin, type TopicSpec } from '../admin/topic-admin';
import { BatchConsumer, type BatchConsumerOptions } from '../consumer/batch-consumer';
import { EventProducer } from '../producer/event-producer';
import type { KafkaSettings } from '../settings/kafka-settings';
import { TopicNames } from '../topics/topic-names';
import { KafkaClientFactory, type KafkaClientOptions } from './kafka-client-factory';

/**
 * The entry point to Kafka: one per service, holding the kafkajs client built from the settings. It hands out
 * producers, consumers and admin clients that share its configuration, and keeps kafkajs itself out of sight.
 * `KafkaModule` provides one; scripts and tests construct it directly.
 */
export class KafkaClient {
  /** The topic names under the configured namespace. */
  readonly topics: TopicNames;
  private readonly factory: KafkaClientFactory;
  private readonly kafka: Kafka;
  private readonly consumers = new Set<BatchConsumer>();

  constructor(
    readonly settings: KafkaSettings,
    options: KafkaClientOptions = {},
  ) {
    this.topics = new TopicNames(settings.topicNamespace);
    this.factory = new KafkaClientFactory(settings, options);
    this.kafka = this.factory.createKafka();
  }

  /**
   * The spec to create one of our topics with: the configured partitions and replication factor, so every
   * service that ensures a topic asks for the same layout.
   */
  topicSpec(name: string, config?: Readonly<Record<string, string>>): TopicSpec {
    const { partitions, replicationFactor } = this.settings.topics;
    return {
      name,
      partitions,
      ...(replicationFactor !== undefined && { replicationFactor }),
      ...(config !== undefined && { config }),
    };
  }

  /** A durable (idempotent, acks=all) producer; it connects on `connect()` or on its first send. */
  createProducer(): EventProducer {
    return new EventProducer(this.kafka.producer(this.factory.producerConfig()));
  }

  /** An admin client for topic creation and health checks, with the request timeout as its default timeout. */
  createAdmin(): TopicAdmin {
    return new TopicAdmin(this.kafka.admin(), this.settings.requestTimeoutMs); // kafkajs applies the client's retry
  }

  /** A batch consumer for a consumer group; call `start()` on it. {@link stopConsumers} stops it at shutdown. */
  createConsumer(options: BatchConsumerOptions): BatchConsumer {
    const consumer = new BatchConsumer(this.kafka.consumer(this.factory.consumerConfig(options)), options);
    this.consumers.add(consumer);
    return consumer;
  }

  /** Stops every consumer this client created (already stopped ones are skipped). */
  async stopConsumers(): Promise<void> {
    const consumers = [...this.consumers];
    this.consumers.clear();
    const results = await Promise.allSettled(consumers.map((consumer) => consumer.stop()));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
