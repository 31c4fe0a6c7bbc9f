import { logRecordCodec, type ConsumedMessage } from '@smartlink/messaging';
import type { NewLog } from '@smartlink/rm-tables';
import { z } from 'zod';
import { toStorableLog, type LooseLogRecord } from './storable-log';

/** A record of `<ns>.logs` that is not a log record at all. */
export interface UndecodableLogRecord {
  readonly record: ConsumedMessage;
  readonly reason: string;
}

/** A record that became a row only after a repair, with what was repaired. */
export interface RepairedLogRecord {
  readonly record: ConsumedMessage;
  readonly repairs: readonly string[];
}

/** What a chunk of `<ns>.logs` holds: the rows to write, in offset order, and the records that needed attention. */
export interface ReadLogRecords {
  readonly rows: NewLog[];
  readonly undecodable: UndecodableLogRecord[];
  readonly repaired: RepairedLogRecord[];
}

/**
 * What is still worth a row when a record breaks the contract: a severity and a text. Everything else is optional
 * and of any length, and repaired by {@link toStorableLog}; a log line must not be lost to, say, an over-long id.
 */
const SalvageableLogRecordSchema = z.object({
  messageId: z.string().nullish(),
  type: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  message: z.string(),
  debug: z.string().nullish(),
  date: z.string().nullish(),
  source: z.string().nullish(),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a chunk of `<ns>.logs` into GTOTVSLINKLOG rows. A record that follows the contract (`log-record/v1`) becomes
 * a row as is, unless a value no column can hold has to be repaired; one that breaks it but still has a severity and
 * a text is repaired and written, with the breach noted in DATADEBUG; anything else is undecodable. Never throws.
 */
export function readLogRecords(records: readonly ConsumedMessage[], now: Date): ReadLogRecords {
  const result: ReadLogRecords = { rows: [], undecodable: [], repaired: [] };
  for (const record of records) {
    const decoded = logRecordCodec.decode(record);
    let loose: LooseLogRecord;
    let breach: string | null = null;
    if (decoded.ok) {
      loose = decoded.value;
    } else {
      const salvaged = salvage(record.value);
      if (!salvaged.ok) {
        result.undecodable.push({ record, reason: salvaged.reason });
        continue;
      }
      loose = salvaged.value;
      breach = `the record breaks the log-record contract (${decoded.error.message}); written as far as it goes`;
    }
    const { log, repairs } = toStorableLog(loose, {
      recordTimestamp: record.timestamp,
      now,
      ...(breach === null ? {} : { notes: [breach] }),
    });
    if (repairs.length > 0) result.repaired.push({ record, repairs });
    result.rows.push(log);
  }
  return result;
}

function salvage(value: Buffer): { ok: true; value: LooseLogRecord } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(value));
  } catch (error) {
    return { ok: false, reason: error instanceof SyntaxError ? 'not JSON' : 'not valid UTF-8' };
  }
  const parsed = SalvageableLogRecordSchema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'value';
  return { ok: false, reason: `no log record: ${field}: ${issue?.message ?? 'invalid'}` };
}
