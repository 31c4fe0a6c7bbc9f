import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import { InstantField, MessageIdField } from './contract-fields';
import { JsonCodec } from './json-codec';
import { SmartLinkHeaders } from './smartlink-headers';

/** GTOTVSLINKLOG.LOGTYPE: 0 information, 1 warning, 2 error (seed §04). */
export const LogRecordTypeSchema = z.union([z.literal(0), z.literal(1), z.literal(2)]);

/** Log text longer than this is cut; the full detail belongs in `debug`. */
export const MAX_LOG_MESSAGE_LENGTH = 4_000;

/** anyone → log-writer on `<ns>.logs`: one row of GTOTVSLINKLOG. Key: the message id, or the source. */
export const LogRecordSchema = z.object({
  messageId: MessageIdField.optional(),
  type: LogRecordTypeSchema,
  message: z.string().transform((s) => s.slice(0, MAX_LOG_MESSAGE_LENGTH)),
  /** Extra detail for DATADEBUG (stack, payload excerpt). */
  debug: z.string().optional(),
  date: InstantField,
  /** Who wrote it: a service (`poller`) or a segment (`segment:hr`). */
  source: z.string().min(1).max(100),
});
export type LogRecord = z.infer<typeof LogRecordSchema>;

export const LOG_RECORD_SCHEMA_ID = 'log-record/v1';
export const logRecordCodec = new JsonCodec('log record', LogRecordSchema);

/** The record for the logs topic: keyed by message id so a message's logs stay in order. */
export function logRecordRecord(record: z.input<typeof LogRecordSchema>): EventRecord {
  return {
    key: record.messageId ?? record.source,
    value: logRecordCodec.encode(record),
    headers: {
      ...(record.messageId === undefined ? {} : { [SmartLinkHeaders.messageId]: record.messageId }),
      [SmartLinkHeaders.schema]: LOG_RECORD_SCHEMA_ID,
    },
  };
}
