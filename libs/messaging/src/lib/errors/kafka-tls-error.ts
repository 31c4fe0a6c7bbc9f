import { SmartLinkError, type TlsFailure } from '@smartlink/common';

/**
 * The TLS handshake with a broker failed: its certificate is not trusted (KAFKA_SSL_CA_FILE), has expired, does not
 * name the host, or the port does not speak TLS. Not retriable: the settings or the broker's certificate must be
 * fixed first.
 */
export class KafkaTlsError extends SmartLinkError {
  constructor(
    readonly broker: string,
    readonly failure: TlsFailure,
    operation: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'KAFKA_TLS_FAILED',
      `Kafka TLS handshake with ${broker} failed while ${operation}: ${failure.reason} (${failure.code}: ${detail}); ` +
        "check KAFKA_SSL_CA_FILE and the broker's certificate",
      false,
      options,
    );
  }
}
