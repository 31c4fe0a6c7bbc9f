import {
  commandMessageRecord,
  logRecordCodec,
  outboundMessageCodec,
  decodeOutcomesTopicValue,
  isAttemptStarted,
  type AttemptStarted,
  type CommandMessage,
  type ConsumedMessage,
  type EventProducer,
  type LogRecord,
  type OutboundMessage,
  type Outcome,
  type TopicRecords,
} from '@smartlink/messaging';
import type { StdoutLogger } from '../src/lib/logging/stdout-logger';

// Typed doubles for the unit ring: no broker, no Nest app.

export const NOW = new Date('2026-11-28T10:00:00.000Z');
export const fixedClock = () => NOW;

/** Collects stdout lines instead of printing them. */
export class RecordingStdout implements StdoutLogger {
  readonly lines: Array<{ level: 'log' | 'warn' | 'error' | 'debug'; text: string }> = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', text: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', text: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', text: String(message) });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', text: String(message) });
  }
}

/** Records every batch sent; `failures` makes the next sends reject, `gate` holds sends until opened. */
export class RecordingProducer implements Pick<EventProducer, 'sendBatch'> {
  readonly batches: Array<readonly TopicRecords[]> = [];
  failures = 0;
  gate: Promise<void> | null = null;

  async sendBatch(batches: readonly TopicRecords[]): Promise<void> {
    if (this.gate) await this.gate;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker unavailable');
    }
    this.batches.push(batches);
  }

  /** Every outcome sent so far, decoded; started markers are left out (see {@link markers}). */
  outcomes(topic = 'ns.outcomes'): Outcome[] {
    return this.decoded(topic, (value) => decodeOutcomesTopicValue(value)).filter(
      (value): value is Outcome => !isAttemptStarted(value),
    );
  }

  /** Every started marker sent so far, decoded. */
  markers(topic = 'ns.outcomes'): AttemptStarted[] {
    return this.decoded(topic, (value) => decodeOutcomesTopicValue(value)).filter(isAttemptStarted);
  }

  /** Every log record sent so far, decoded. */
  logs(topic = 'ns.logs'): LogRecord[] {
    return this.decoded(topic, (value) => logRecordCodec.decode(value));
  }

  /** Every message published for the cloud so far, decoded, with its key (the message id). */
  outbound(topic = 'ns.outbound'): Array<OutboundMessage & { id: string }> {
    return this.batches.flatMap((batch) =>
      batch
        .filter((entry) => entry.topic === topic)
        .flatMap((entry) => entry.records)
        .map((record) => {
          const decoded = outboundMessageCodec.decode(record.value);
          if (!decoded.ok) throw new Error(`the SDK published an invalid record on ${topic}`);
          return { id: record.key, ...decoded.value };
        }),
    );
  }

  private decoded<T>(
    topic: string,
    decode: (value: string | Buffer) => { ok: true; value: T } | { ok: false },
  ): T[] {
    return this.batches.flatMap((batch) =>
      batch
        .filter((entry) => entry.topic === topic)
        .flatMap((entry) => entry.records)
        .map((record) => {
          const decoded = decode(record.value);
          if (!decoded.ok) throw new Error(`the SDK published an invalid record on ${topic}`);
          return decoded.value;
        }),
    );
  }
}

let offset = 0;

/** A command message as the consumer hands it over. */
export function commandRecord(
  overrides: Partial<CommandMessage> = {},
  options: Parameters<typeof commandMessageRecord>[1] = {},
): ConsumedMessage {
  const message: CommandMessage = {
    id: 'm-1',
    command: 'DemoPing',
    tenantId: 'tenant-1',
    correlatedId: null,
    attempt: 1,
    data: '{}',
    receivedAt: NOW.toISOString(),
    ...overrides,
  };
  return consumed(commandMessageRecord(message, options));
}

/** Any record, e.g. one that is not a command message. */
export function consumed(record: {
  key: string;
  value: string | Buffer;
  headers?: Readonly<Record<string, string>>;
}): ConsumedMessage {
  offset += 1;
  return {
    topic: 'ns.cmd.DemoPing',
    partition: 0,
    offset: String(offset),
    key: record.key,
    value: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value),
    headers: record.headers ?? {},
    timestamp: NOW.getTime(),
  };
}

/** A promise with its resolve function outside, to hold a handler or a send until the test lets it go. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
