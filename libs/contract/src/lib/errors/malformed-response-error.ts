import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/**
 * A 2xx response whose body is not what the contract says: not JSON, or a field missing or of the wrong type.
 * `field` is the path of the first bad field (e.g. `messages.3.receipt`), `(body)` when the body as a whole
 * is unreadable. Not retriable: the server is out of step with the contract.
 */
export class MalformedResponseError extends SmartLinkError {
  constructor(
    readonly endpoint: SmartLinkEndpoint,
    readonly field: string,
    readonly reason: string,
  ) {
    super(
      'MALFORMED_RESPONSE',
      `Smart Link ${endpoint} returned a malformed body at ${field}: ${reason}`,
      false,
    );
  }
}
