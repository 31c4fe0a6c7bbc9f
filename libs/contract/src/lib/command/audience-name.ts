import { MessageLimits, SmartLinkError } from '@smartlink/common';

/**
 * An audience is the code of the TOTVS App a sent message is for (`SGDP`, `recorrencia`, `LinkProxy`,
 * `techfin-conta-digital`, smartlink-domain.md §1.5). It is a path segment of `send/{type}/{audience}`, so
 * only the characters every seen value uses are accepted, which also keeps it inert in a URL.
 */
export const MAX_AUDIENCE_LENGTH = MessageLimits.AUDIENCE;
/** The characters of a legal audience; the length bound is {@link MAX_AUDIENCE_LENGTH}. */
export const AUDIENCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** An audience that cannot be used in a send path. Never retriable. */
export class IllegalAudienceError extends SmartLinkError {
  constructor(readonly reason: string) {
    super('ILLEGAL_AUDIENCE', `Illegal audience: ${reason}`, false);
  }
}

/** Returns the audience if legal, otherwise throws {@link IllegalAudienceError}. */
export function parseAudience(value: unknown): string {
  if (typeof value !== 'string') {
    throw new IllegalAudienceError(`expected a string, got ${value === null ? 'null' : typeof value}`);
  }
  if (value.length === 0) throw new IllegalAudienceError('empty');
  if (value.length > MAX_AUDIENCE_LENGTH) {
    throw new IllegalAudienceError(`${value.length} characters, at most ${MAX_AUDIENCE_LENGTH} allowed`);
  }
  if (!AUDIENCE_PATTERN.test(value)) {
    throw new IllegalAudienceError(
      `${JSON.stringify(value)} may hold only A-Z a-z 0-9 . _ - and must start with a letter or digit`,
    );
  }
  return value;
}

/** True when `value` is a legal audience. */
export function isAudience(value: unknown): value is string {
  try {
    parseAudience(value);
    return true;
  } catch {
    return false;
  }
}
