import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ConsumerGroupLag } from '../admin/consumer-group-lag';
import { TopicAdmin } from '../admin/topic-admin';
import { KafkaClient } from '../client/kafka-client';
import { EventProducer } from '../producer/event-producer';

/**
 * Connects the producer at start-up (retrying within KAFKA_STARTUP_RETRY_MS while Kafka is not ready) and closes
 * Kafka in order at shutdown: consumers first, while the producer
 * is still up (a handler in flight may still publish), then the producer and the admin clients. The producer is
 * closed in `onApplicationShutdown`, which Nest calls after every module's `onModuleDestroy` and
 * `beforeApplicationShutdown`, so apps can still publish from their own shutdown hooks.
 */
@Injectable()
export class KafkaLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly client: KafkaClient,
    private readonly producer: EventProducer,
    private readonly admin: TopicAdmin,
    private readonly groupLag: ConsumerGroupLag,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.client.startup.run('connecting the producer', () => this.producer.connect());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.client.stopConsumers();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.producer.disconnect(), this.admin.disconnect(), this.groupLag.disconnect()]);
  }
}
