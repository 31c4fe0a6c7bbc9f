// Settings
export {
  parseKafkaSettings,
  kafkaSettingsSchema,
  type KafkaSettings,
  type SaslMechanism,
  type KafkaLogLevel,
  DEFAULT_KAFKA_BROKERS,
  DEFAULT_TOPIC_NAMESPACE,
} from './lib/settings/kafka-settings';

// Topic names
export { TopicNames } from './lib/topics/topic-names';
export { IllegalTopicNamespaceError } from './lib/topics/illegal-topic-namespace-error';

// Client, producer, consumer, admin
export { KafkaClient } from './lib/client/kafka-client';
export type { KafkaClientOptions, ConsumerTuning } from './lib/client/kafka-client-factory';
export { EventProducer } from './lib/producer/event-producer';
export type { EventRecord, TopicRecords } from './lib/producer/event-record';
export {
  BatchConsumer,
  type BatchConsumerOptions,
  type BatchHandler,
  type BatchContext,
} from './lib/consumer/batch-consumer';
export type { ConsumedMessage } from './lib/consumer/consumed-message';
export {
  TopicAdmin,
  type TopicSpec,
  type EnsureTopicsResult,
  type ClusterInfo,
} from './lib/admin/topic-admin';

// Errors (callers decide from `code` and `retriable`)
export { KafkaUnavailableError } from './lib/errors/kafka-unavailable-error';
export { KafkaRequestError } from './lib/errors/kafka-request-error';
export { KafkaAuthenticationError } from './lib/errors/kafka-authentication-error';
export { BatchHandlerError } from './lib/consumer/batch-handler-error';
export { BatchConsumerUsageError } from './lib/consumer/batch-consumer-usage-error';

// Nest
export { KafkaModule, type KafkaModuleAsyncOptions } from './lib/nest/kafka.module';
export { KafkaHealthIndicator, DEFAULT_KAFKA_HEALTH_TIMEOUT_MS } from './lib/nest/kafka.health';
export { KAFKA_SETTINGS } from './lib/nest/kafka.tokens';
