import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TopicAdmin } from '../admin/topic-admin';
import type { BatchConsumer } from '../consumer/batch-consumer';
import { toKafkaError } from '../errors/to-kafka-error';

/** How long a health check waits for the cluster; well under Kubernetes' default probe timeout budget. */
export const DEFAULT_KAFKA_HEALTH_TIMEOUT_MS = 2_000;

/**
 * Terminus health indicator for Kafka. Reports only the broker count and, when down, our error code and message,
 * never settings or credentials.
 *
 * @example
 * this.health.check([() => this.kafka.isHealthy('kafka'), () => this.kafka.isConsumerRunning('executor', consumer)])
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly admin: TopicAdmin,
  ) {}

  /** Up, with the number of brokers, when the cluster describes itself within `timeoutMs`. */
  async isHealthy(key = 'kafka', timeoutMs = DEFAULT_KAFKA_HEALTH_TIMEOUT_MS) {
    const indicator = this.health.check(key);
    try {
      const { brokers } = await this.admin.ping(timeoutMs);
      return indicator.up({ brokers });
    } catch (error) {
      const { code, message } = toKafkaError(error, 'checking the cluster');
      return indicator.down({ code, message });
    }
  }

  /** Up while the consumer is in its group and consuming; for readiness probes. */
  isConsumerRunning(key: string, consumer: Pick<BatchConsumer, 'isRunning' | 'groupId'>) {
    const indicator = this.health.check(key);
    return consumer.isRunning()
      ? indicator.up({ groupId: consumer.groupId })
      : indicator.down({ groupId: consumer.groupId, message: 'consumer is not running in its group' });
  }
}
