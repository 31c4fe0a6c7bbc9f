import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import { AttemptField, ErrorTextField, InstantField, MessageIdField } from './contract-fields';
import { JsonCodec } from './json-codec';
import { SmartLinkHeaders } from './smartlink-headers';

/**
 * What a segment reports for one attempt: `succeeded`; `failed` (retryable: the retry scheduler plans another
 * attempt); `fatal` (dead-letter now, no retry).
 */
export const OutcomeStatusSchema = z.enum(['succeeded', 'failed', 'fatal']);
export type OutcomeStatus = z.infer<typeof OutcomeStatusSchema>;

/** segment → executor on `<ns>.outcomes`. Key: the message id. Unique per (messageId, attempt). */
export const OutcomeSchema = z
  .object({
    messageId: MessageIdField,
    attempt: AttemptField,
    status: OutcomeStatusSchema,
    /** Why it failed; required unless succeeded. */
    error: ErrorTextField.optional(),
    startedAt: InstantField,
    finishedAt: InstantField,
  })
  .refine((o) => o.status === 'succeeded' || (o.error !== undefined && o.error.length > 0), {
    message: 'a failed or fatal outcome needs an error',
    path: ['error'],
  });
export type Outcome = z.infer<typeof OutcomeSchema>;

export const OUTCOME_SCHEMA_ID = 'outcome/v1';
export const outcomeCodec = new JsonCodec('outcome', OutcomeSchema);

/** The record for the outcomes topic: key = message id. */
export function outcomeRecord(outcome: Outcome): EventRecord {
  return {
    key: outcome.messageId,
    value: outcomeCodec.encode(outcome),
    headers: {
      [SmartLinkHeaders.messageId]: outcome.messageId,
      [SmartLinkHeaders.attempt]: String(outcome.attempt),
      [SmartLinkHeaders.schema]: OUTCOME_SCHEMA_ID,
    },
  };
}
