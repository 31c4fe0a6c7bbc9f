import { SmartLinkError } from '@smartlink/common';

/**
 * A received message has a field its row cannot hold: longer than its column, or a NUL character, which PostgreSQL
 * text refuses. Never retriable: the same record fails the same way, so it is dead-lettered alone instead of failing
 * the whole chunk again and again.
 */
export class InvalidMessageFieldError extends SmartLinkError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super('INVALID_MESSAGE_FIELD', `Invalid message field ${field}: ${reason}`, false);
  }
}
