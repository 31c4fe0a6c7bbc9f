import { SmartLinkError } from '@smartlink/common';

/**
 * The broker answered but refused the request (record too large, not authorised, invalid topic, ...), or the
 * client was misused. Retriable only when kafkajs says so.
 */
export class KafkaRequestError extends SmartLinkError {
  constructor(operation: string, detail: string, retriable: boolean, options?: { cause?: unknown }) {
    super('KAFKA_REQUEST_FAILED', `Kafka refused ${operation}: ${detail}`, retriable, options);
  }
}
