import { SmartLinkError } from '@smartlink/common';

/**
 * A record on one of our topics that does not match its schema: not UTF-8 JSON, or a field missing or wrong.
 * `field` is the path of the first bad field (`value` when the bytes as a whole are unreadable). Not retriable:
 * the same record fails the same way, so consumers count and report it, and go on with the rest.
 */
export class MalformedEventError extends SmartLinkError {
  constructor(
    readonly schema: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super('MALFORMED_EVENT', `Malformed ${schema} at ${field}: ${reason}`, false);
  }
}
