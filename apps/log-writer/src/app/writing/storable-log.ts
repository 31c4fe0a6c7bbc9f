import { MessageLimits } from '@smartlink/common';
import { MAX_LOG_MESSAGE_LENGTH } from '@smartlink/messaging';
import type { LogType, NewLog } from '@smartlink/rm-tables';

/** A log record as read from `<ns>.logs`, before it is made fit for GTOTVSLINKLOG; loose where the contract may be broken. */
export interface LooseLogRecord {
  readonly messageId?: string | null;
  readonly type: LogType;
  readonly message: string;
  readonly debug?: string | null;
  readonly date?: string | null;
  readonly source?: string | null;
}

/** A GTOTVSLINKLOG row and what had to be changed to make it one (empty when nothing). */
export interface StorableLog {
  readonly log: NewLog;
  readonly repairs: readonly string[];
}

/** Where a record came from, for the repairs that need it. */
export interface StorableLogContext {
  /** The Kafka record's timestamp (epoch ms): the date of a record whose own date cannot be stored. */
  readonly recordTimestamp: number;
  /** Used when even the record timestamp is not a storable instant. */
  readonly now: Date;
  /** Repairs made before, e.g. "the record breaks the contract", noted first. */
  readonly notes?: readonly string[];
}

/**
 * The instants every supported database stores: SQL Server's `datetime2` spans years 1 to 9999 (PostgreSQL's
 * `timestamptz` and SQLite's text more), and JavaScript dates outside it would fail the whole insert.
 */
const MIN_STORABLE_TIME = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_STORABLE_TIME = Date.parse('9999-12-31T23:59:59.999Z');

// PostgreSQL text refuses NUL outright; U+FFFD keeps the spot visible to whoever reads the row.
const NUL = '\u0000';
const REPLACEMENT = '\uFFFD';

/**
 * Makes a log record fit GTOTVSLINKLOG instead of letting one odd value fail the batch it travels in: NUL characters
 * become U+FFFD, a message id the column cannot hold (NUL, over-long, empty) is left out, a date that is not a
 * storable instant becomes the Kafka record's timestamp, over-long text is cut. What was changed is noted in
 * DATADEBUG, together with the record's `source` (GTOTVSLINKLOG has no column for it), above the record's own debug.
 */
export function toStorableLog(record: LooseLogRecord, context: StorableLogContext): StorableLog {
  const { recordTimestamp, now } = context;
  const repairs: string[] = [...(context.notes ?? [])];

  let messageId: string | null = null;
  const id = record.messageId ?? null;
  if (id !== null && id.length === 0) {
    repairs.push('the empty message id was left out');
  } else if (id !== null && id.includes(NUL)) {
    repairs.push(`the message id ${quoted(id)} holds NUL characters and was left out of IDMENSAGEM`);
  } else if (id !== null && id.length > MessageLimits.MESSAGE_ID) {
    repairs.push(
      `the message id has ${id.length} characters, more than IDMENSAGEM's ${MessageLimits.MESSAGE_ID}, and was left out: ${quoted(id)}`,
    );
  } else {
    messageId = id;
  }

  let message = record.message;
  if (message.length > MAX_LOG_MESSAGE_LENGTH) {
    repairs.push(`the text was cut from ${message.length} to ${MAX_LOG_MESSAGE_LENGTH} characters`);
    message = message.slice(0, MAX_LOG_MESSAGE_LENGTH);
  }
  if (message.includes(NUL)) {
    repairs.push('NUL characters in the text were replaced by U+FFFD');
    message = message.replaceAll(NUL, REPLACEMENT);
  }

  const date = storableDate(record.date ?? null, recordTimestamp, now, repairs);

  const source = record.source ? record.source.replaceAll(NUL, REPLACEMENT) : null;
  let debug = record.debug ?? null;
  if (debug?.includes(NUL) || record.source?.includes(NUL)) {
    repairs.push('NUL characters in the debug text or the source were replaced by U+FFFD');
    debug = debug?.replaceAll(NUL, REPLACEMENT) ?? null;
  }

  const lines: string[] = [];
  if (source) lines.push(`source: ${source}`);
  for (const repair of repairs) lines.push(`log-writer: ${repair}`);
  if (debug) lines.push(debug);

  return {
    log: { messageId, type: record.type, message, date, debug: lines.length > 0 ? lines.join('\n') : null },
    repairs,
  };
}

function storableDate(text: string | null, recordTimestamp: number, now: Date, repairs: string[]): Date {
  const time = text === null ? Number.NaN : Date.parse(text);
  if (isStorable(time)) return new Date(time);
  const fallback = isStorable(recordTimestamp) ? new Date(recordTimestamp) : now;
  repairs.push(
    text === null
      ? `the record has no date; ${fallback.toISOString()} (when Kafka took it) is used`
      : `the date ${quoted(text)} is not a storable instant; ${fallback.toISOString()} (when Kafka took it) is used`,
  );
  return fallback;
}

function isStorable(time: number): boolean {
  return Number.isFinite(time) && time >= MIN_STORABLE_TIME && time <= MAX_STORABLE_TIME;
}

/** JSON quoting: shows NUL and other control characters as escapes, never raw. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}
