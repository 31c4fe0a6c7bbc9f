import { SmartLinkError } from '@smartlink/common';

/**
 * Start-up retried retriable Kafka errors for KAFKA_STARTUP_RETRY_MS and Kafka was still not ready. The service
 * exits with this message; retriable, since a later start (Kubernetes restarts the pod) may well succeed.
 */
export class KafkaStartupTimeoutError extends SmartLinkError {
  constructor(operation: string, budgetMs: number, last: SmartLinkError) {
    super(
      'KAFKA_STARTUP_TIMED_OUT',
      `Kafka was not ready within KAFKA_STARTUP_RETRY_MS (${budgetMs} ms) while ${operation}; last error ` +
        `${last.code}: ${last.message}. Check that the brokers in KAFKA_BROKERS are up and reachable from this ` +
        "service, that the topics' partitions have leaders (the brokers' logs say why not), and KAFKA_SSL and " +
        'KAFKA_SASL_*; raise KAFKA_STARTUP_RETRY_MS if the cluster needs longer to start',
      true,
      { cause: last },
    );
  }
}
