// Settings
export {
  parseKafkaSettings,
  kafkaSettingsSchema,
  type KafkaSettings,
  type SaslMechanism,
  type KafkaLogLevel,
  DEFAULT_KAFKA_BROKERS,
  DEFAULT_TOPIC_NAMESPACE,
  DEFAULT_TOPIC_PARTITIONS,
} from './lib/settings/kafka-settings';

// Topic names
export { TopicNames } from './lib/topics/topic-names';
export { IllegalTopicNamespaceError } from './lib/topics/illegal-topic-namespace-error';

// Client, producer, consumer, admin
export { KafkaClient } from './lib/client/kafka-client';
export type { KafkaClientOptions, ConsumerTuning } from './lib/client/kafka-client-factory';
export { EventProducer } from './lib/producer/event-producer';
export type { EventRecord, TopicRecords } from './lib/producer/event-record';
export type {
  BatchConsumer,
  AssignedPartitions,
  BatchConsumerOptions,
  BatchHandler,
  BatchContext,
} from './lib/consumer/batch-consumer';
export type { ConsumedMessage } from './lib/consumer/consumed-message';
export {
  TopicAdmin,
  type TopicSpec,
  type EnsureTopicsResult,
  type ClusterInfo,
} from './lib/admin/topic-admin';

// Start-up: retriable Kafka errors retried within KAFKA_STARTUP_RETRY_MS
export { StartupRetry } from './lib/startup/startup-retry';
export { KafkaStartupTimeoutError } from './lib/startup/kafka-startup-timeout-error';

// Errors (callers decide from `code` and `retriable`)
export { KafkaUnavailableError } from './lib/errors/kafka-unavailable-error';
export { KafkaRequestError } from './lib/errors/kafka-request-error';
export { KafkaAuthenticationError } from './lib/errors/kafka-authentication-error';
export { KafkaTlsError } from './lib/errors/kafka-tls-error';
export { BatchHandlerError } from './lib/consumer/batch-handler-error';
export { BatchConsumerUsageError } from './lib/consumer/batch-consumer-usage-error';

// Nest
export { KafkaModule, type KafkaModuleAsyncOptions } from './lib/nest/kafka.module';
export { KafkaHealthIndicator, DEFAULT_KAFKA_HEALTH_TIMEOUT_MS } from './lib/nest/kafka.health';
export { KAFKA_SETTINGS } from './lib/nest/kafka.tokens';

// Topic contracts (AsyncAPI) and the internal event log
export { SmartLinkHeaders } from './lib/contracts/smartlink-headers';
export { JsonCodec, type Decoded } from './lib/contracts/json-codec';
export { MalformedEventError } from './lib/contracts/malformed-event-error';
export { MAX_ERROR_LENGTH } from './lib/contracts/contract-fields';
export {
  CommandMessageSchema,
  COMMAND_MESSAGE_SCHEMA_ID,
  commandMessageCodec,
  commandMessageRecord,
  type CommandMessage,
} from './lib/contracts/command-message';
export {
  AttemptStartedSchema,
  ATTEMPT_STARTED_SCHEMA_ID,
  attemptStartedCodec,
  attemptStartedRecord,
  decodeOutcomesTopicValue,
  InlineLogSchema,
  isAttemptStarted,
  MAX_INLINE_LOG_BYTES,
  MAX_INLINE_LOGS,
  OutcomeSchema,
  OutcomeStatusSchema,
  OUTCOME_SCHEMA_ID,
  outcomeCodec,
  outcomeRecord,
  type AttemptStarted,
  type InlineLog,
  type Outcome,
  type OutcomeStatus,
  type OutcomesTopicValue,
} from './lib/contracts/outcome';
export {
  isLostDuringHandler,
  lostDuringHandlerError,
  type LostAttempt,
} from './lib/contracts/lost-during-handler';
export { DISPATCH_TIMEOUT, missedStartDeadlineError, startDeadline } from './lib/contracts/start-deadline';
export {
  OutboundMessageSchema,
  OUTBOUND_MESSAGE_SCHEMA_ID,
  outboundMessageCodec,
  outboundMessageRecord,
  type OutboundMessage,
} from './lib/contracts/outbound-message';
export {
  LogRecordSchema,
  LOG_RECORD_SCHEMA_ID,
  MAX_LOG_MESSAGE_LENGTH,
  logRecordCodec,
  logRecordRecord,
  type LogRecord,
} from './lib/contracts/log-record';
export {
  DeadLetterSchema,
  DeadLetterReasonSchema,
  DEAD_LETTER_SCHEMA_ID,
  deadLetterCodec,
  deadLetterRecord,
  type DeadLetter,
  type DeadLetterReason,
} from './lib/contracts/dead-letter';
export {
  LifecycleEventSchema,
  lifecycleEventCodec,
  lifecycleEventRecord,
  type LifecycleEvent,
  type ReceivedEvent,
  type DispatchedEvent,
  type AttemptFinishedEvent,
  type PublishedEvent,
  type RetryScheduledEvent,
  type RetryDueEvent,
  type DeadLetteredEvent,
  type RedrivenEvent,
} from './lib/contracts/lifecycle-event';

// Lease (one active instance among replicas), consumer group lag and a namespace's offsets
export {
  KafkaLease,
  DEFAULT_LEASE_SESSION_TIMEOUT_MS,
  type KafkaLeaseOptions,
  type LeaseListener,
  type LeaseState,
} from './lib/lease/kafka-lease';
export { leaseGroupName } from './lib/lease/lease-layout';
export { IllegalLeaseNameError } from './lib/lease/illegal-lease-name-error';
export { ConsumerGroupLag, type GroupLag, type PartitionLag } from './lib/admin/consumer-group-lag';
export { PartitionReplicas, type PartitionReplicaState } from './lib/admin/partition-replicas';
export { NamespaceOffsets, type OffsetsSnapshot, type TimestampType } from './lib/admin/namespace-offsets';
