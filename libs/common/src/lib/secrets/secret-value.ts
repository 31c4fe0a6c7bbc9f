import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a secret (client secret, password, token) so that it cannot leak by accident: string interpolation,
 * `JSON.stringify` and `util.inspect` (hence loggers and Nest's error output) all print `[redacted]`. Only
 * {@link SecretValue.reveal} returns the value, at the one place that hands it to the wire or the driver.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself; call it only where it goes on the wire or to a driver, never near a log. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretValue(${REDACTED})`;
  }
}
