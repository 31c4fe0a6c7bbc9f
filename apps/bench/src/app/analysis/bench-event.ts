/**
 * The fields of a lifecycle event (`<ns>.events`, libs/messaging lifecycle-event.ts) that the benchmark measures with,
 * instants as epoch milliseconds. Every instant is one the services or the simulator recorded, never the bench's own.
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
  /** succeeded/failed/fatal: when the segment's handler started the attempt. */
  readonly startedAt?: number;
  /** retry-due: when the attempt fell due (DATATENTATIVAEXEC). */
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
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object') return null;
  const e = json as Record<string, unknown>;
  const at = instant(e['at']);
  if (typeof e['type'] !== 'string' || typeof e['messageId'] !== 'string' || at === undefined) return null;
  const enqueuedAt = instant(e['enqueuedAt']);
  const startedAt = instant(e['startedAt']);
  const dueAt = instant(e['dueAt']);
  return {
    type: e['type'],
    messageId: e['messageId'],
    at,
    recordedAt: recordTimestamp,
    ...(typeof e['source'] === 'string' && { source: e['source'] }),
    ...(enqueuedAt !== undefined && { enqueuedAt }),
    ...(typeof e['attempt'] === 'number' && { attempt: e['attempt'] }),
    ...(startedAt !== undefined && { startedAt }),
    ...(dueAt !== undefined && { dueAt }),
    ...(typeof e['direction'] === 'string' && { direction: e['direction'] }),
  };
}
