import { SmartLinkError } from '@smartlink/common';

/** SASL authentication failed. Not retriable: the credentials (KAFKA_SASL_*) must be fixed. */
export class KafkaAuthenticationError extends SmartLinkError {
  constructor(operation: string, detail: string, options?: { cause?: unknown }) {
    super(
      'KAFKA_AUTHENTICATION_FAILED',
      `Kafka authentication failed while ${operation}: ${detail}; check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME ` +
        'and KAFKA_SASL_PASSWORD',
      false,
      options,
    );
  }
}
