import { KafkaClient, parseKafkaSettings } from '@smartlink/messaging';

/**
 * The bench's own Kafka client (admin, offsets, reading the event log) in a run's topic namespace: the same settings
 * in the bench's process and in the child processes that measure the client libraries.
 */
export function benchKafkaClient(brokers: string, namespace: string): KafkaClient {
  return new KafkaClient(
    parseKafkaSettings({
      KAFKA_BROKERS: brokers,
      SMARTLINK_TOPIC_NAMESPACE: namespace,
      KAFKA_CLIENT_ID: 'smartlink-bench',
      KAFKA_LOG_LEVEL: 'error',
    }),
  );
}
