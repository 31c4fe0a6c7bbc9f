/**
 * Base of every error this system raises on purpose. Callers decide what to do from `code` (stable, documented)
 * and `retriable` (would the same call succeed later?), never from the message text, which is for humans.
 */
export class SmartLinkError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True when the error says a later retry may succeed. Unknown errors are treated as retriable. */
export function isRetriable(error: unknown): boolean {
  return error instanceof SmartLinkError ? error.retriable : true;
}
