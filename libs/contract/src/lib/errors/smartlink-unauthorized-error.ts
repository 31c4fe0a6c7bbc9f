import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/**
 * The link API refused a freshly issued token (HTTP 401 after one renewal and retry). Not retriable: the
 * credentials or the tenant's activation need an operator.
 */
export class SmartLinkUnauthorizedError extends SmartLinkError {
  readonly status = 401;

  constructor(readonly endpoint: SmartLinkEndpoint) {
    super(
      'UNAUTHORIZED',
      `Smart Link ${endpoint} call was refused with HTTP 401 even with a renewed token`,
      false,
    );
  }
}
