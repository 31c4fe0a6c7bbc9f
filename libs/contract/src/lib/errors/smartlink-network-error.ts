import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/** The connection failed (refused, reset, closed, DNS). Retriable: nothing was decided by the server. */
export class SmartLinkNetworkError extends SmartLinkError {
  constructor(
    readonly endpoint: SmartLinkEndpoint,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('NETWORK', `Smart Link ${endpoint} call failed on the network: ${reason}`, true, options);
  }
}
