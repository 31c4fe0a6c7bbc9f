import { SmartLinkError } from '@smartlink/common';

/**
 * One message from the queue cannot become a {@link CloudMessage}: not JSON, neither envelope style, or a
 * required field missing or illegal. `field` is the path of the first bad field in the envelope (`body` when
 * the text as a whole is unreadable). Not retriable: the same bytes will fail again, so the message is
 * refused or dead-lettered on its own while the rest of its batch goes on.
 */
export class MalformedMessageError extends SmartLinkError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super('MALFORMED_MESSAGE', `Malformed Smart Link message at ${field}: ${reason}`, false);
  }
}
