import type { OutcomeStatus } from '@smartlink/messaging';

/** How a send that threw ends its attempt. */
export interface SendVerdict {
  readonly status: Exclude<OutcomeStatus, 'succeeded'>;
  /** The error's message: our errors never carry the token, the secret or the body. */
  readonly error: string;
  /** The cloud's Retry-After (429, 503) in milliseconds, null when it gave none. */
  readonly retryAfterMs: number | null;
}

/**
 * Error codes that mean the cloud (or the contract before it) refused this very message: the same message would be
 * refused again, so the attempt is fatal and the message is dead-lettered. A 4xx other than 401/408/429
 * (`REJECTED`), the literal `false` (`SEND_REJECTED`), a body over the payload limit, a type or audience that cannot
 * be a path segment. Everything else — timeouts, network errors, 5xx, 429, and also credentials the cloud refuses,
 * which an operator fixes without touching the message — is a failed attempt the retry scheduler retries.
 */
const FATAL_CODES = new Set([
  'REJECTED',
  'SEND_REJECTED',
  'PAYLOAD_TOO_LARGE',
  'INVALID_REQUEST',
  'ILLEGAL_COMMAND_NAME',
  'ILLEGAL_AUDIENCE',
  'MISSING_AUDIENCE',
]);

/** Judges a failed send by the error's stable `code`, never by its text. */
export function sendVerdict(error: unknown): SendVerdict {
  const code = (error as { code?: unknown } | null)?.code;
  const retryAfter = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return {
    status: typeof code === 'string' && FATAL_CODES.has(code) ? 'fatal' : 'failed',
    error: errorText(error),
    retryAfterMs:
      typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0
        ? Math.round(retryAfter)
        : null,
  };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // PostgreSQL text refuses NUL; the rest of the message is worth keeping.
  return (text.trim() || 'the send failed without a reason').replaceAll('\u0000', '\uFFFD');
}
