import type { z } from 'zod';
import type { ConsumedMessage } from '../consumer/consumed-message';
import { MalformedEventError } from './malformed-event-error';

/** Result of decoding one record: the value, or why it was refused. */
export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MalformedEventError };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON over Kafka for one schema. Encoding validates too, so a producer bug fails at the producer and never
 * reaches a consumer in another team's language; decoding never throws, so one bad record cannot stop a batch.
 */
export class JsonCodec<S extends z.ZodType> {
  constructor(
    /** Human name of the schema, used in errors (`outcome`, `command message`...). */
    readonly name: string,
    readonly schema: S,
  ) {}

  /** Validates and serialises; throws MalformedEventError when `value` breaks the schema. */
  encode(value: z.input<S>): string {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) throw this.toError(parsed.error);
    return JSON.stringify(parsed.data);
  }

  /** Parses and validates a record's value (UTF-8 JSON). */
  decode(message: Pick<ConsumedMessage, 'value'> | Buffer | string): Decoded<z.output<S>> {
    let text: string;
    try {
      const raw = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message : message.value;
      text = typeof raw === 'string' ? raw : utf8.decode(raw);
    } catch {
      return { ok: false, error: new MalformedEventError(this.name, 'value', 'not valid UTF-8') };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, error: new MalformedEventError(this.name, 'value', 'not JSON') };
    }
    const parsed = this.schema.safeParse(json);
    return parsed.success
      ? { ok: true, value: parsed.data }
      : { ok: false, error: this.toError(parsed.error) };
  }

  private toError(error: z.ZodError): MalformedEventError {
    const issue = error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'value';
    return new MalformedEventError(this.name, field, issue?.message ?? 'invalid');
  }
}
