import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import { AttemptField, ErrorTextField, InstantField, MessageIdField } from './contract-fields';
import { JsonCodec, type Decoded } from './json-codec';
import { LogRecordSchema } from './log-record';
import { SmartLinkHeaders } from './smartlink-headers';

/**
 * What a segment reports for one attempt: `succeeded`; `failed` (retryable: the retry scheduler plans another
 * attempt); `fatal` (dead-letter now, no retry).
 */
export const OutcomeStatusSchema = z.enum(['succeeded', 'failed', 'fatal']);
export type OutcomeStatus = z.infer<typeof OutcomeStatusSchema>;

/**
 * One log line of an attempt, carried in its outcome: the fields of a log record, the message id being the outcome's.
 * The executor writes it to GTOTVSLINKLOG when it records the attempt, as the log writer would have.
 */
export const InlineLogSchema = LogRecordSchema.omit({ messageId: true });
export type InlineLog = z.infer<typeof InlineLogSchema>;

/**
 * At most this many log lines ride in one outcome. With {@link MAX_INLINE_LOG_BYTES} it keeps an outcome record far
 * below Kafka's default 1 MB record limit and the executor's chunk small; a handler logs a few lines per attempt.
 */
export const MAX_INLINE_LOGS = 100;
/**
 * At most this many UTF-8 bytes of log lines (their JSON) ride in one outcome: 16 lines of the longest text, or a
 * few stacks. Enforced by the producer (the SDK); what does not fit goes to `<ns>.logs` as log records.
 */
export const MAX_INLINE_LOG_BYTES = 64 * 1024;

/**
 * segment → executor on `<ns>.outcomes`. Key: the message id. Unique per (messageId, attempt). Unknown keys are
 * stripped when read (zod's default), so an executor older than a field reads the outcome without it.
 */
export const OutcomeSchema = z
  .object({
    messageId: MessageIdField,
    attempt: AttemptField,
    status: OutcomeStatusSchema,
    /** Why it failed; required unless succeeded. */
    error: ErrorTextField.optional(),
    startedAt: InstantField,
    finishedAt: InstantField,
    /**
     * The attempt's log lines, oldest first (optional; absent = none inline). The executor writes them to
     * GTOTVSLINKLOG with the attempt's history row, once per (messageId, attempt). An executor before this field
     * drops them: upgrade the executor first.
     */
    logs: z.array(InlineLogSchema).max(MAX_INLINE_LOGS).optional(),
  })
  .refine((o) => o.status === 'succeeded' || (o.error !== undefined && o.error.length > 0), {
    message: 'a failed or fatal outcome needs an error',
    path: ['error'],
  });
export type Outcome = z.infer<typeof OutcomeSchema>;

export const OUTCOME_SCHEMA_ID = 'outcome/v1';
export const outcomeCodec = new JsonCodec('outcome', OutcomeSchema);

/**
 * segment → executor on `<ns>.outcomes`, before the handler of an attempt runs: the attempt has started and counts,
 * whatever happens to the process next. Keyed by message id like the outcome, so it precedes that attempt's outcome
 * on the same partition. `outcomeDueBy` is when the segment promises the outcome at the latest (its handler timeout
 * plus a margin to deliver it); past it the retry scheduler records the attempt as lost during the handler. Optional
 * for segments: without markers the dispatch timeout still applies.
 */
export const AttemptStartedSchema = z.object({
  messageId: MessageIdField,
  attempt: AttemptField,
  status: z.literal('started'),
  startedAt: InstantField,
  outcomeDueBy: InstantField,
  /** The segment instance that runs the handler (host or pod name), for the error text if it never reports. */
  instance: z.string().max(200),
});
export type AttemptStarted = z.infer<typeof AttemptStartedSchema>;

export const ATTEMPT_STARTED_SCHEMA_ID = 'attempt-started/v1';
export const attemptStartedCodec = new JsonCodec('attempt started marker', AttemptStartedSchema);

/** What `<ns>.outcomes` carries: an outcome, or the marker of an attempt that started. */
export type OutcomesTopicValue = Outcome | AttemptStarted;

/** Decodes a record of `<ns>.outcomes`: a started marker when its status says so, else an outcome. */
export function decodeOutcomesTopicValue(
  record: Parameters<typeof outcomeCodec.decode>[0],
): Decoded<OutcomesTopicValue> {
  const marker = attemptStartedCodec.decode(record);
  if (marker.ok) return marker;
  return outcomeCodec.decode(record);
}

/** True when a value read from `<ns>.outcomes` is a started marker. */
export function isAttemptStarted(value: OutcomesTopicValue): value is AttemptStarted {
  return value.status === 'started';
}

/** The record of a started marker: key = message id, on the outcomes topic. */
export function attemptStartedRecord(marker: AttemptStarted): EventRecord {
  return {
    key: marker.messageId,
    value: attemptStartedCodec.encode(marker),
    headers: {
      [SmartLinkHeaders.messageId]: marker.messageId,
      [SmartLinkHeaders.attempt]: String(marker.attempt),
      [SmartLinkHeaders.schema]: ATTEMPT_STARTED_SCHEMA_ID,
    },
  };
}

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
