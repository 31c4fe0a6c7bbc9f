import { SmartLinkError, type TlsFailure } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/**
 * The TLS handshake with the cloud failed: its certificate is not trusted (SMARTLINK_TLS_CA_FILE), has expired or
 * does not name the host. Not retriable: an operator fixes the CA file, or the cloud its certificate. Callers that
 * keep trying (the poller) log it as an error; the executor still retries the message's send, never dead-letters it.
 */
export class SmartLinkTlsError extends SmartLinkError {
  constructor(
    readonly endpoint: SmartLinkEndpoint,
    readonly failure: TlsFailure,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'TLS_FAILED',
      `Smart Link ${endpoint} call failed in the TLS handshake: ${failure.reason} (${failure.code}: ${detail}); ` +
        "check SMARTLINK_TLS_CA_FILE and the server's certificate",
      false,
      options,
    );
  }
}
