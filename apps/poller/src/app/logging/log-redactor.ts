import { SmartLinkError, type SecretValue } from '@smartlink/common';

const REDACTED = '[redacted]';
// A bearer credential in a header dump, and anything shaped like a JWT (the RAC access token is one).
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** Error text beyond this is cut: a log line must not carry a whole response body. */
const MAX_ERROR_TEXT = 1_000;

/**
 * Makes error text safe for the poller's logs. The contract lib's errors never carry the token or the client
 * secret, but the poller also logs errors it did not make (kafkajs, the database driver, a bug), so every error
 * text it writes passes through here: the configured secrets, bearer tokens and JWT-shaped strings are replaced.
 */
export class LogRedactor {
  private readonly secrets: readonly string[];

  constructor(secrets: readonly SecretValue[]) {
    // Very short secrets would redact ordinary words; the settings never accept those for the client secret anyway.
    this.secrets = secrets.map((secret) => secret.reveal()).filter((secret) => secret.length >= 4);
  }

  /** `CODE: message` for our errors, `Name: message` for others, redacted and bounded. */
  errorText(error: unknown): string {
    const text =
      error instanceof SmartLinkError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    const safe = this.scrub(text);
    return safe.length > MAX_ERROR_TEXT ? `${safe.slice(0, MAX_ERROR_TEXT)}…` : safe;
  }

  /** Replaces the secrets, bearer tokens and JWTs in `text`. */
  scrub(text: string): string {
    const withoutSecrets = this.secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
    return withoutSecrets.replace(BEARER, `$1 ${REDACTED}`).replace(JWT, REDACTED);
  }
}
