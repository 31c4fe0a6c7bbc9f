import {
  lifecycleEventCodec,
  type ConsumedMessage,
  type MalformedEventError,
  type RetryDueEvent,
} from '@smartlink/messaging';

/** The retry-due events of a chunk of `<ns>.events`. */
export interface RetryDueEvents {
  /** One per (message id, attempt), the first of the chunk, in offset order. */
  readonly due: readonly RetryDueEvent[];
  /** Records that could not be read as a retry-due event, with where they are and why. */
  readonly malformed: readonly {
    readonly record: ConsumedMessage;
    readonly error: MalformedEventError | null;
  }[];
}

/** The schema header `lifecycleEventRecord` puts on a `retry-due` event. */
export const RETRY_DUE_EVENT_SCHEMA = 'event/retry-due/v1';

/** Decodes retry-due events; never throws, so a bad record cannot stop the chunk. */
export function readRetryDueEvents(records: readonly ConsumedMessage[]): RetryDueEvents {
  const due: RetryDueEvent[] = [];
  const malformed: { record: ConsumedMessage; error: MalformedEventError | null }[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const decoded = lifecycleEventCodec.decode(record);
    if (!decoded.ok || decoded.value.type !== 'retry-due') {
      malformed.push({ record, error: decoded.ok ? null : decoded.error });
      continue;
    }
    const key = `${decoded.value.attempt}:${decoded.value.messageId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    due.push(decoded.value);
  }
  return { due, malformed };
}
