import { SmartLinkError } from '@smartlink/common';

/**
 * Kafka could not be reached or was not ready (connection refused or lost, timeouts, no leader, not enough
 * in-sync replicas) and kafkajs gave up retrying. Always retriable: the same call may succeed later, so a
 * caller keeps the work (e.g. the poller does not ack the cloud) and tries again.
 */
export class KafkaUnavailableError extends SmartLinkError {
  constructor(operation: string, detail: string, options?: { cause?: unknown }) {
    super('KAFKA_UNAVAILABLE', `Kafka unavailable while ${operation}: ${detail}`, true, options);
  }
}
