import type { Kafka } from 'kafkajs';
import { ConsumerGroupLag } from '../admin/consumer-group-lag';
import { NamespaceOffsets } from '../admin/namespace-offsets';
import { PartitionReplicas } from '../admin/partition-replicas';
import { TopicAdmin, type TopicSpec } from '../admin/topic-admin';
import type { BatchConsumer, BatchConsumerOptions } from '../consumer/batch-consumer';
import { KafkajsBatchConsumer } from '../consumer/kafkajs-batch-consumer';
import { PlatformaticBatchConsumer } from '../consumer/platformatic-batch-consumer';
import { DEFAULT_LEASE_SESSION_TIMEOUT_MS, KafkaLease, type KafkaLeaseOptions } from '../lease/kafka-lease';
import { leaseGroupName, leaseTiming } from '../lease/lease-layout';
import { EventProducer, MAX_MERGED_BYTES, PLATFORMATIC_PRODUCER_RETRIES } from '../producer/event-producer';
import { PlatformaticProducerPort } from '../producer/platformatic-producer-port';
import type { KafkaSettings } from '../settings/kafka-settings';
import { StartupRetry } from '../startup/startup-retry';
import { TopicNames } from '../topics/topic-names';
import { KafkaClientFactory, type KafkaClientOptions } from './kafka-client-factory';
import { PlatformaticClientFactory } from './platformatic-client-factory';

/**
 * The entry point to Kafka: one per service, holding the clients built from the settings. It hands out producers,
 * consumers and admin clients that share its configuration, and keeps the client libraries out of sight. Producers
 * and consumers run on the library KAFKA_CLIENT names (kafkajs or @platformatic/kafka); admin clients, leases and the offset readers
 * always on kafkajs (see `KafkaSettings.client`). `KafkaModule` provides one; scripts and tests construct it directly.
 */
export class KafkaClient {
  /** The topic names under the configured namespace. */
  readonly topics: TopicNames;
  /**
   * Retries the start-up steps of everything this client hands out (producer connect, topics, consumer groups,
   * leases) while Kafka is not ready yet, within KAFKA_STARTUP_RETRY_MS; wrap other start-up steps in it too.
   */
  readonly startup: StartupRetry;
  private readonly factory: KafkaClientFactory;
  private readonly kafka: Kafka;
  /** Set when KAFKA_CLIENT=platformatic. */
  private readonly platformatic: PlatformaticClientFactory | null;
  private readonly consumers = new Set<BatchConsumer>();

  constructor(
    readonly settings: KafkaSettings,
    private readonly options: KafkaClientOptions = {},
  ) {
    this.topics = new TopicNames(settings.topicNamespace);
    this.factory = new KafkaClientFactory(settings, options);
    this.kafka = this.factory.createKafka();
    this.platformatic =
      settings.client === 'platformatic'
        ? new PlatformaticClientFactory(settings, this.factory.tlsOptions())
        : null;
    this.startup = new StartupRetry({
      budgetMs: settings.startupRetryMs,
      ...(options.logger !== undefined && { logger: options.logger }),
    });
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

  /** A durable (acks=all, whole-request retries) producer; it connects on `connect()` or on its first send. */
  createProducer(): EventProducer {
    const { platformatic } = this;
    if (platformatic) {
      return new EventProducer(
        new PlatformaticProducerPort(() => platformatic.createProducer()),
        MAX_MERGED_BYTES,
        { ...this.settings.retry, retries: PLATFORMATIC_PRODUCER_RETRIES },
      );
    }
    return new EventProducer(
      this.kafka.producer(this.factory.producerConfig()),
      MAX_MERGED_BYTES,
      this.settings.retry,
    );
  }

  /** An admin client for topic creation and health checks, with the request timeout as its default timeout. */
  createAdmin(): TopicAdmin {
    // kafkajs applies the client's retry to each request; `startup` retries whole steps at start-up.
    return new TopicAdmin(this.kafka.admin(), this.settings.requestTimeoutMs, this.startup);
  }

  /** A batch consumer for a consumer group; call `start()` on it. {@link stopConsumers} stops it at shutdown. */
  createConsumer(options: BatchConsumerOptions): BatchConsumer {
    const { platformatic } = this;
    const consumer = platformatic
      ? new PlatformaticBatchConsumer(options, {
          createConsumer: () => platformatic.createConsumer(options),
          startup: this.startup,
          groupProtocol: this.settings.groupProtocol,
          retry: this.settings.retry,
          ...(this.options.logger !== undefined && { logger: this.options.logger }),
        })
      : new KafkajsBatchConsumer(
          () => this.kafka.consumer(this.factory.consumerConfig(options)),
          options,
          this.startup,
          { sessionTimeoutMs: options.sessionTimeoutMs ?? this.settings.sessionTimeoutMs },
        );
    this.consumers.add(consumer);
    return consumer;
  }

  /**
   * A lease named `name` (e.g. `poller`): group and one-partition topic `<namespace>.<name>.lease`. Every replica
   * creates one with the same name and calls `start()`; one of them at a time holds it. Stop it at shutdown.
   */
  createLease(name: string, options: KafkaLeaseOptions = {}): KafkaLease {
    const groupId = leaseGroupName(this.topics.namespace, name);
    const timing = leaseTiming(options.sessionTimeoutMs ?? DEFAULT_LEASE_SESSION_TIMEOUT_MS);
    const config = this.factory.consumerConfig({
      groupId,
      sessionTimeoutMs: timing.sessionTimeoutMs,
      heartbeatIntervalMs: timing.heartbeatIntervalMs,
      maxWaitTimeMs: timing.maxWaitTimeMs,
    });
    return new KafkaLease({
      ...options,
      sessionTimeoutMs: timing.sessionTimeoutMs,
      groupId,
      topic: { ...this.topicSpec(groupId), partitions: 1 },
      admin: this.createAdmin(),
      startup: this.startup,
      createConsumer: (assigner) =>
        this.kafka.consumer({
          ...config,
          rebalanceTimeout: timing.rebalanceTimeoutMs,
          partitionAssigners: [assigner],
        }),
    });
  }

  /** Reads consumer group lag (e.g. the executor's on the event log); disconnect it at shutdown. */
  createGroupLag(): ConsumerGroupLag {
    return new ConsumerGroupLag(this.kafka.admin());
  }

  /**
   * Reads the end offsets of every topic and the committed offsets of every consumer group of this client's namespace
   * (benchmarks count records with it); disconnect it when done.
   */
  createNamespaceOffsets(): NamespaceOffsets {
    return new NamespaceOffsets(this.kafka.admin(), `${this.topics.namespace}.`);
  }

  /** Reads leaders, replicas and in-sync replicas of partitions (tests that fail brokers); disconnect it when done. */
  createPartitionReplicas(): PartitionReplicas {
    return new PartitionReplicas(this.kafka.admin());
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
