import { SmartLinkError } from '@smartlink/common';

/**
 * The caller asked for something the contract cannot carry (a batch size out of range, an empty ack, a send
 * body that is not JSON). Raised before anything goes on the wire. Not retriable.
 */
export class InvalidRequestError extends SmartLinkError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super('INVALID_REQUEST', `Invalid Smart Link request at ${field}: ${reason}`, false);
  }
}
