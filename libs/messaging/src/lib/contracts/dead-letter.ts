import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import { InstantField } from './contract-fields';
import { JsonCodec } from './json-codec';
import { SmartLinkHeaders } from './smartlink-headers';

/** Why a message was dead-lettered. */
export const DeadLetterReasonSchema = z.enum([
  /** The cloud message could not be read (not JSON, unknown envelope, missing id or type). */
  'malformed',
  /** The command name may not become a topic. */
  'illegal-command',
  /** Bigger than the payload limit. */
  'oversize',
  /** The segment threw its fatal error. */
  'fatal',
  /** The last allowed attempt failed. */
  'attempts-exhausted',
]);
export type DeadLetterReason = z.infer<typeof DeadLetterReasonSchema>;

/**
 * → operators on `<ns>.deadletter`: a message that will not be executed (again) without an operator. Carries
 * what is known of the message (for a message that could not be read, only the raw text), the attempts made, the
 * last error, the reason and the time. Key: the message id, or the cloud receipt when there is none.
 */
export const DeadLetterSchema = z.object({
  messageId: z.string().min(1).nullable(),
  command: z.string().nullable(),
  // Unbounded on purpose: a dead letter must carry whatever junk arrived, or it would become a poison pill itself.
  tenantId: z.string().nullable(),
  correlatedId: z.string().nullable(),
  direction: z.enum(['downstream', 'upstream']),
  /** The payload (or, for unreadable messages, the raw body exactly as received). */
  data: z.string(),
  attempts: z.number().int().min(0),
  reason: DeadLetterReasonSchema,
  /** Stable error code, e.g. MALFORMED_MESSAGE, ILLEGAL_COMMAND_NAME, PAYLOAD_TOO_LARGE. */
  errorCode: z.string().nullable(),
  lastError: z.string(),
  deadAt: InstantField,
  /** The service that dead-lettered it. */
  source: z.string().min(1).max(100),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

export const DEAD_LETTER_SCHEMA_ID = 'dead-letter/v1';
export const deadLetterCodec = new JsonCodec('dead letter', DeadLetterSchema);

/** The record for the dead-letter topic. `fallbackKey` keys a letter without message id (e.g. the receipt). */
export function deadLetterRecord(letter: DeadLetter, fallbackKey: string): EventRecord {
  return {
    key: letter.messageId ?? fallbackKey,
    value: deadLetterCodec.encode(letter),
    headers: {
      ...(letter.messageId === null ? {} : { [SmartLinkHeaders.messageId]: letter.messageId }),
      ...(letter.command === null ? {} : { [SmartLinkHeaders.command]: letter.command }),
      [SmartLinkHeaders.schema]: DEAD_LETTER_SCHEMA_ID,
    },
  };
}
