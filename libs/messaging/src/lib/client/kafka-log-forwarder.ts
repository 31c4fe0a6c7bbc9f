import type { LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

const REDACTED = '[redacted]';
// Field names whose values are never logged, whatever they hold.
const SENSITIVE_KEY = /pass|secret|token|credential|sasl|authorization|private.?key/i;
const MAX_STRING = 2_000;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;

// kafkajs warnings we cause on purpose and have weighed. We bound the idempotent producer's retries so a send to
// an unreachable cluster fails (and the poller keeps the message un-acked) instead of retrying forever; the
// possible duplicate on a later retry is absorbed by message-id keys (at-least-once). Kept at debug, not dropped.
const DELIBERATE = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/**
 * Builds the kafkajs `logCreator` that forwards its logs to a Nest logger, one line per entry:
 * `<message> {json of the extra fields}`, with the kafkajs namespace (`Consumer`, `Producer`, ...) as context.
 * Pass a logger without a fixed context (e.g. `new Logger()`): every call here names its own context.
 * The extra fields are made JSON-safe (errors, buffers, bigints, cycles) and credentials never pass: fields with
 * sensitive names are redacted, and every known secret value is scrubbed from all strings.
 */
export function kafkaLogForwarder(logger: LoggerService, secrets: readonly string[] = []): logCreator {
  const scrub = (text: string) =>
    secrets.reduce((out, secret) => (secret.length > 0 ? out.split(secret).join(REDACTED) : out), text);
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
      const fields =
        Object.keys(extra).length > 0 ? ` ${scrub(JSON.stringify(jsonSafe(extra, 0, new WeakSet())))}` : '';
      const line = `${scrub(String(message))}${fields}`;
      const context = namespace ? `kafkajs.${namespace}` : 'kafkajs';
      if (DELIBERATE.has(String(message))) return logger.debug?.(line, context);
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          return logger.error(line, context);
        case logLevel.WARN:
          return logger.warn(line, context);
        case logLevel.INFO:
          return logger.log(line, context);
        default:
          return logger.debug?.(line, context);
      }
    };
}

function jsonSafe(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return value === undefined ? null : String(value);
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    const { code, type } = value as Error & { code?: unknown; type?: unknown };
    return {
      name: value.name,
      message: value.message,
      ...(code !== undefined && { code }),
      ...(type !== undefined && { type }),
    };
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => jsonSafe(item, depth + 1, seen));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SENSITIVE_KEY.test(key) ? REDACTED : jsonSafe(item, depth + 1, seen),
    ]),
  );
}
