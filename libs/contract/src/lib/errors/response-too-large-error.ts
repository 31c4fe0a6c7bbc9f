import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/**
 * A response body exceeded the configured bound and was not read to the end. Not retriable as such; a caller
 * of `get` can ask for fewer messages.
 */
export class ResponseTooLargeError extends SmartLinkError {
  constructor(
    readonly endpoint: SmartLinkEndpoint,
    readonly limitBytes: number,
  ) {
    super('RESPONSE_TOO_LARGE', `Smart Link ${endpoint} response exceeded ${limitBytes} bytes`, false);
  }
}
