/**
 * The arithmetic of the raw Kafka client measurements (kafka-clients-limit.ts): figures from a count, a wall-clock
 * window and the CPU time the measuring process spent in it, the check of what an idempotent producer left on its
 * topic, and an error as one line of text. Nothing here talks to Kafka.
 */

/** One timed run of a raw client: how many records, how long, and the CPU the measuring process spent. */
export interface ClientRunFigures {
  readonly records: number;
  readonly ms: number;
  /** User + system CPU time of the measuring process over the same window (`process.cpuUsage`). */
  readonly cpuMs: number;
  readonly recordsPerSec: number;
  readonly cpuMsPer1000: number;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Figures of `records` handled in `ms` of wall-clock time for `cpuMicros` of CPU time (what `process.cpuUsage(start)`
 * returns, user + system). Null when nothing was handled or the window is empty, as no rate can be given.
 */
export function clientRunFigures(
  records: number,
  ms: number,
  cpu: { readonly user: number; readonly system: number },
): ClientRunFigures | null {
  if (!(records > 0) || !(ms > 0)) return null;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    records,
    ms: round(ms, 1),
    cpuMs: round(cpuMs, 1),
    recordsPerSec: round((records * 1000) / ms, 0),
    cpuMsPer1000: round((cpuMs * 1000) / records, 2),
  };
}

/** What a topic holds after an idempotent producer's run, against what the producer was told it had written. */
export interface ReadBackCheck {
  /** Records read back from the topic (all of it: acknowledged or not). */
  readonly records: number;
  /** Acknowledged records that are not on the topic. */
  readonly missing: number;
  /** Records on the topic more than once (each extra copy counts one). */
  readonly duplicates: number;
  /** Records that follow, on their partition, a record the producer sent after them. */
  readonly outOfOrder: number;
}

/**
 * Checks a topic read back in offset order, per partition, against the producer's records. Records are numbered in
 * the order the producer was given them (the number travels in the key), so on each partition the numbers must
 * rise; `acknowledged` are the numbers of the records whose send resolved, which must each be there once.
 */
export function checkReadBack(
  partitions: readonly (readonly number[])[],
  acknowledged: Iterable<number>,
): ReadBackCheck {
  const seen = new Set<number>();
  let records = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  for (const numbers of partitions) {
    let highest = -Infinity;
    for (const n of numbers) {
      records += 1;
      if (seen.has(n)) duplicates += 1;
      else seen.add(n);
      if (n < highest) outOfOrder += 1;
      else highest = n;
    }
  }
  let missing = 0;
  for (const n of acknowledged) if (!seen.has(n)) missing += 1;
  return { records, missing, duplicates, outOfOrder };
}

/** The most text of an error the results keep: enough for the codes and messages of a few nested errors. */
const MAX_ERROR_TEXT = 600;

/**
 * An error as one line: its message, then the codes and messages of the errors it wraps (`errors` of an
 * AggregateError or of @platformatic/kafka's MultipleErrors, and `cause`), each once, depth first. A broker's error
 * code (OUT_OF_ORDER_SEQUENCE_NUMBER) is often only on a wrapped error, under a generic message.
 */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  const visited = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (depth > 5 || visited.has(e)) return;
    visited.add(e);
    if (!(e instanceof Error)) {
      parts.push(String(e));
      return;
    }
    const fields = e as Error & { code?: unknown; apiId?: unknown; type?: unknown; errors?: unknown };
    const code = [fields.apiId, fields.code, fields.type].find((c) => typeof c === 'string' && c.length > 0);
    const text = code && !e.message.includes(code as string) ? `${code as string}: ${e.message}` : e.message;
    if (!parts.includes(text)) parts.push(text);
    if (Array.isArray(fields.errors)) for (const inner of fields.errors) visit(inner, depth + 1);
    if (e.cause !== undefined) visit(e.cause, depth + 1);
  };
  visit(error, 0);
  const line = parts.join(' ← ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_ERROR_TEXT ? `${line.slice(0, MAX_ERROR_TEXT - 1)}…` : line;
}

/** What {@link sendInWindow} did: how many sends resolved, and the first error if one failed. */
export interface WindowOutcome {
  readonly resolved: number;
  readonly error: unknown;
  readonly failed: boolean;
}

/**
 * Starts `send` for each item in order, with at most `limit` unresolved at any time, the next starting as soon as
 * one resolves. After the first rejection no more are started; it waits for those already started and reports the
 * first error beside the number of sends that resolved.
 */
export function sendInWindow<T>(
  items: readonly T[],
  limit: number,
  send: (item: T) => Promise<void>,
): Promise<WindowOutcome> {
  if (!(limit >= 1)) throw new RangeError(`at least one send must be in flight, got ${limit}`);
  return new Promise((resolve) => {
    let next = 0;
    let running = 0;
    let resolved = 0;
    let failed = false;
    let firstError: unknown = null;
    const pump = () => {
      while (!failed && running < limit && next < items.length) {
        const item = items[next++] as T;
        running += 1;
        let sent: Promise<void>;
        try {
          sent = send(item);
        } catch (error) {
          sent = Promise.reject(error);
        }
        sent.then(
          () => {
            resolved += 1;
            settled();
          },
          (error: unknown) => {
            if (!failed) firstError = error;
            failed = true;
            settled();
          },
        );
      }
      if (running === 0) resolve({ resolved, error: firstError, failed });
    };
    const settled = () => {
      running -= 1;
      pump();
    };
    pump();
  });
}

/** Bytes of a record's key: a message id's length, as our records are keyed by message id. */
export const KEY_BYTES = 36;

/** The key of the record numbered `n`: the number, zero-padded to {@link KEY_BYTES}, so it can be read back. */
export function numberedKey(n: number): Buffer {
  return Buffer.from(String(n).padStart(KEY_BYTES, '0'));
}

/** The number a {@link numberedKey} carries; NaN for a key that is not one. */
export function keyNumber(key: Buffer | null | undefined): number {
  const text = key?.toString() ?? '';
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

/** Records on a topic: its partitions' end offsets (decimal strings, as an offsets snapshot gives them) summed. */
export function topicRecords(endOffsets: Readonly<Record<string, string>> | undefined): number {
  return Object.values(endOffsets ?? {}).reduce((sum, offset) => sum + Number(offset), 0);
}

/** A client's package directory as a topic and group name part: `@platformatic/kafka` → `platformatic-kafka`. */
export function clientSlug(pkg: string): string {
  return pkg
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}
