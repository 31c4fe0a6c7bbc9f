import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/**
 * Any other HTTP 4xx: the cloud refused this request as such (bad path, body or state). Not retriable: the
 * same request would be refused again.
 */
export class SmartLinkRejectedError extends SmartLinkError {
  constructor(
    readonly endpoint: SmartLinkEndpoint,
    readonly status: number,
  ) {
    super('REJECTED', `Smart Link ${endpoint} call was rejected with HTTP ${status}`, false);
  }
}
