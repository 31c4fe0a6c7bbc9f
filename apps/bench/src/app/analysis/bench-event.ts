/**
 * The fields of a lifecycle event (`<ns>.received` or `<ns>.events`, libs/messaging lifecycle-event.ts) that the
 * benchmark measures with, instants as epoch milliseconds. Every instant is one the services or the simulator
 * recorded, never the bench's own.
 */
export interface BenchEvent {
  readonly type: string;
  readonly messageId: string;
  /** The event's `at`: when the service did what the event says (received: right after the poller's get). */
  readonly at: number;
  /** The Kafka record timestamp: when the service sent the event, after what it reports was durable. */
  readonly recordedAt: number;
  /** received: the CloudEvents `source`, which tells the bench's runs apart. */
  readonly source?: string | null;
  /** received: when the simulated cloud queue accepted the message. */
  readonly enqueuedAt?: number | null;
  readonly attempt?: number;
  /** retry-scheduled, retry-due: when the attempt falls or fell due (DATATENTATIVAEXEC). */
  readonly dueAt?: number;
  readonly direction?: string;
}

const instant = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
};

/** Reads one record of the event log; null for a record that is not a lifecycle event with id, type and time. */
export function readBenchEvent(value: string, recordTimestamp: number): BenchEvent | null {
  const e = jsonObject(value);
  if (e === null) return null;
  const at = instant(e['at']);
  if (typeof e['type'] !== 'string' || typeof e['messageId'] !== 'string' || at === undefined) return null;
  const enqueuedAt = instant(e['enqueuedAt']);
  const dueAt = instant(e['dueAt']);
  return {
    type: e['type'],
    messageId: e['messageId'],
    at,
    recordedAt: recordTimestamp,
    ...(typeof e['source'] === 'string' && { source: e['source'] }),
    ...(enqueuedAt !== undefined && { enqueuedAt }),
    ...(typeof e['attempt'] === 'number' && { attempt: e['attempt'] }),
    ...(dueAt !== undefined && { dueAt }),
    ...(typeof e['direction'] === 'string' && { direction: e['direction'] }),
  };
}

/**
 * One outcome record of `<ns>.outcomes` (libs/messaging outcome.ts): what a segment reported for one attempt. It is
 * the end of the attempt; the executor records it in GTOTVSLINKMESSAGEEXEC after reading it.
 */
export interface OutcomeRecord {
  readonly messageId: string;
  readonly attempt: number;
  readonly status: 'succeeded' | 'failed' | 'fatal';
  /** When the segment's handler started the attempt. */
  readonly startedAt: number;
  /** When the handler ended. */
  readonly finishedAt: number;
  /**
   * The Kafka record timestamp: when the segment's producer stamped the record (CreateTime) or the broker appended it
   * (LogAppendTime), after the handler ended and before the executor recorded the attempt.
   */
  readonly timestamp: number;
}

const OUTCOME_STATUSES = new Set(['succeeded', 'failed', 'fatal']);

/** Reads one record of `<ns>.outcomes`; null for a started marker or a record that is not an outcome. */
export function readOutcomeRecord(value: string, recordTimestamp: number): OutcomeRecord | null {
  const o = jsonObject(value);
  if (o === null) return null;
  const startedAt = instant(o['startedAt']);
  const finishedAt = instant(o['finishedAt']);
  const { messageId, attempt, status } = o;
  if (
    typeof messageId !== 'string' ||
    typeof attempt !== 'number' ||
    typeof status !== 'string' ||
    !OUTCOME_STATUSES.has(status) ||
    startedAt === undefined ||
    finishedAt === undefined
  ) {
    return null;
  }
  return {
    messageId,
    attempt,
    status: status as OutcomeRecord['status'],
    startedAt,
    finishedAt,
    timestamp: recordTimestamp,
  };
}

/** A record's value as a JSON object; null when it is not JSON or not an object. */
function jsonObject(value: string): Record<string, unknown> | null {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return null;
  }
  return json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : null;
}
