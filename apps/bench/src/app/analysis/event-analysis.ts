import { bestWindowRate, countPerSecond, perSecond, steadyRate } from '../stats/rates';
import { summarize, type SampleSummary } from '../stats/sample-summary';
import type { BenchEvent } from './bench-event';

/** Downstream throughput: from the first get to the last success row, for the messages of one run. */
export interface ThroughputFigures {
  readonly messages: number;
  /** First `received` event (the poller's first get of the run returned). */
  readonly startedAt: number;
  /** Last `succeeded` event sent (its success row was committed before). */
  readonly finishedAt: number;
  readonly windowMs: number;
  readonly msgPerSec: number | null;
  /** Median second once under way (see steadyRate). */
  readonly steadyMsgPerSec: number | null;
  /** Best 5 consecutive seconds. */
  readonly best5sMsgPerSec: number | null;
  /**
   * Per second since `startedAt`, the messages through each stage: received (appended to the event log by the
   * poller), dispatched (published to the command topic by the executor), handled (the segment's handler started)
   * and succeeded (success row recorded). The slowest stage shows where the pipeline waits.
   */
  readonly perSecond: {
    readonly received: number[];
    readonly dispatched: number[];
    readonly handled: number[];
    readonly succeeded: number[];
  };
}

/** Cloud enqueue → segment handler, at a fixed offered load. */
export interface LatencyFigures {
  readonly messages: number;
  /** Messages per second the simulator accepted over the run. */
  readonly offeredMsgPerSec: number | null;
  /** enqueuedAt (simulator) → startedAt (the handler began), per message. */
  readonly enqueueToHandlerMs: SampleSummary | null;
  /** enqueuedAt → the success row recorded (the `succeeded` event sent). */
  readonly enqueueToRecordedMs: SampleSummary | null;
  /**
   * The same path hop by hop, to show where the time goes: cloud queue → appended by the poller (`received`);
   * → command published and row marked by the executor (`dispatched` sent); → the handler started (may be slightly
   * negative: the handler can start before the `dispatched` event is out); → success recorded.
   */
  readonly hopsMs: {
    readonly toReceived: SampleSummary | null;
    readonly toDispatched: SampleSummary | null;
    readonly toHandler: SampleSummary | null;
    readonly toRecorded: SampleSummary | null;
  };
}

/** Upstream: segments' messages stored by the executor → sent to the cloud and recorded. */
export interface UpstreamFigures {
  readonly messages: number;
  readonly windowMs: number;
  readonly msgPerSec: number | null;
}

/** How late retries go out after they fall due. */
export interface RetryFigures {
  /** Retries planned (`retry-scheduled`, attempt 2 and later) for the run's messages. */
  readonly retries: number;
  /**
   * dueAt (DATATENTATIVAEXEC, as `retry-scheduled` planned it) → the timestamp of the retry's command record on
   * `<ns>.cmd.<Command>`, its first one when it was published more than once. The headline lateness.
   */
  readonly commandLatenessMs: SampleSummary | null;
  /** Planned retries with no command record for their attempt. */
  readonly withoutCommand: number;
  /**
   * Whose clock the command topic's record timestamps are: `CreateTime` (the producer's, kafkajs stamps a record
   * when it builds the produce request) or `LogAppendTime` (the broker's, on append). Null when it could not be read.
   */
  readonly commandTimestampType: 'CreateTime' | 'LogAppendTime' | null;
  /** dueAt → claimed by the retry scheduler (`retry-due`). */
  readonly claimLatenessMs: SampleSummary | null;
}

/** One record of a command topic: the attempt of a message it carries, and its Kafka record timestamp. */
export interface CommandRecord {
  readonly messageId: string;
  readonly attempt: number;
  readonly timestamp: number;
}

// Reductions, not Math.min(...xs): a spread of 100,000 arguments overflows the stack.
const minOf = (xs: readonly number[]) => xs.reduce((m, x) => Math.min(m, x), Infinity);
const maxOf = (xs: readonly number[]) => xs.reduce((m, x) => Math.max(m, x), -Infinity);

function receivedFrom(events: readonly BenchEvent[], source: string): Map<string, BenchEvent> {
  const byId = new Map<string, BenchEvent>();
  for (const e of events) {
    if (e.type === 'received' && e.source === source && !byId.has(e.messageId)) byId.set(e.messageId, e);
  }
  return byId;
}

/** The first success of each message among `ids` (a redelivered outcome is recorded once; its event may repeat). */
function firstSuccesses(events: readonly BenchEvent[], ids: ReadonlyMap<string, unknown>): BenchEvent[] {
  const byId = new Map<string, BenchEvent>();
  for (const e of events) {
    if (e.type !== 'succeeded' || !ids.has(e.messageId)) continue;
    const seen = byId.get(e.messageId);
    if (!seen || e.recordedAt < seen.recordedAt) byId.set(e.messageId, e);
  }
  return [...byId.values()];
}

/** The throughput of the messages whose received event carries `source`; null if none of them succeeded. */
export function throughputOf(events: readonly BenchEvent[], source: string): ThroughputFigures | null {
  const received = receivedFrom(events, source);
  const succeeded = firstSuccesses(events, received);
  if (succeeded.length === 0) return null;
  const startedAt = minOf([...received.values()].map((e) => e.at));
  const finishedAt = maxOf(succeeded.map((e) => e.recordedAt));
  const windowMs = finishedAt - startedAt;
  const seconds = Math.floor(windowMs / 1000) + 1;
  const doneSeries = countPerSecond(
    succeeded.map((e) => e.recordedAt),
    startedAt,
    seconds,
  );
  const dispatched = new Map<string, number>();
  for (const e of events) {
    if (
      e.type === 'dispatched' &&
      e.attempt === 1 &&
      received.has(e.messageId) &&
      !dispatched.has(e.messageId)
    ) {
      dispatched.set(e.messageId, e.recordedAt);
    }
  }
  const series = (instants: number[]) => countPerSecond(instants, startedAt, seconds);
  return {
    messages: succeeded.length,
    startedAt,
    finishedAt,
    windowMs,
    msgPerSec: perSecond(succeeded.length, windowMs),
    steadyMsgPerSec: steadyRate(doneSeries),
    best5sMsgPerSec: bestWindowRate(doneSeries, 5),
    perSecond: {
      received: series([...received.values()].map((e) => e.at)),
      dispatched: series([...dispatched.values()]),
      handled: series(succeeded.flatMap((e) => (e.startedAt === undefined ? [] : [e.startedAt]))),
      succeeded: doneSeries,
    },
  };
}

/** Enqueue → handler latency of the messages whose received event carries `source` (their first attempt). */
export function latencyOf(events: readonly BenchEvent[], source: string): LatencyFigures {
  const received = receivedFrom(events, source);
  const succeeded = firstSuccesses(events, received).filter((e) => e.attempt === 1);
  const dispatchedAt = new Map<string, number>();
  for (const e of events) {
    if (
      e.type === 'dispatched' &&
      e.attempt === 1 &&
      received.has(e.messageId) &&
      !dispatchedAt.has(e.messageId)
    ) {
      dispatchedAt.set(e.messageId, e.recordedAt);
    }
  }
  const toHandler: number[] = [];
  const toRecorded: number[] = [];
  const hops = {
    toReceived: [] as number[],
    toDispatched: [] as number[],
    toHandler: [] as number[],
    toRecorded: [] as number[],
  };
  for (const success of succeeded) {
    const got = received.get(success.messageId);
    const enqueuedAt = got?.enqueuedAt;
    if (!got || enqueuedAt === undefined || enqueuedAt === null) continue;
    if (success.startedAt !== undefined) toHandler.push(success.startedAt - enqueuedAt);
    toRecorded.push(success.recordedAt - enqueuedAt);
    const dispatched = dispatchedAt.get(success.messageId);
    if (dispatched === undefined || success.startedAt === undefined) continue;
    hops.toReceived.push(got.at - enqueuedAt);
    hops.toDispatched.push(dispatched - got.at);
    hops.toHandler.push(success.startedAt - dispatched);
    hops.toRecorded.push(success.recordedAt - success.startedAt);
  }
  const enqueued = [...received.values()]
    .map((e) => e.enqueuedAt)
    .filter((t): t is number => typeof t === 'number');
  const span = enqueued.length > 1 ? maxOf(enqueued) - minOf(enqueued) : 0;
  return {
    messages: received.size,
    // n messages enqueued over a span hold n - 1 gaps.
    offeredMsgPerSec: perSecond(Math.max(0, enqueued.length - 1), span),
    enqueueToHandlerMs: summarize(toHandler),
    enqueueToRecordedMs: summarize(toRecorded),
    hopsMs: {
      toReceived: summarize(hops.toReceived),
      toDispatched: summarize(hops.toDispatched),
      toHandler: summarize(hops.toHandler),
      toRecorded: summarize(hops.toRecorded),
    },
  };
}

/** Upstream throughput: first `published` → last upstream success recorded. */
export function upstreamOf(events: readonly BenchEvent[]): UpstreamFigures | null {
  const published = events.filter((e) => e.type === 'published');
  if (published.length === 0) return null;
  const ids = new Map(published.map((e) => [e.messageId, e]));
  const sent = firstSuccesses(
    events.filter((e) => e.direction === 'upstream'),
    ids,
  );
  if (sent.length === 0) return null;
  const windowMs = maxOf(sent.map((e) => e.recordedAt)) - minOf(published.map((e) => e.at));
  return { messages: sent.length, windowMs, msgPerSec: perSecond(sent.length, windowMs) };
}

/**
 * Retry lateness of the messages whose received event carries `source`: each retry's due time (the `dueAt` its
 * `retry-scheduled` event planned, i.e. DATATENTATIVAEXEC; the `retry-due` event's when the plan is not in the log)
 * against the first command record of that (message, attempt) on the command topic, and against its claim.
 */
export function retriesOf(
  events: readonly BenchEvent[],
  source: string,
  commands: readonly CommandRecord[],
  commandTimestampType: RetryFigures['commandTimestampType'],
): RetryFigures {
  const ids = receivedFrom(events, source);
  const key = (messageId: string, attempt: number | undefined) => `${messageId}#${attempt ?? 0}`;
  const due = new Map<string, number>();
  const claims: number[] = [];
  const claimed = new Set<string>();
  for (const type of ['retry-scheduled', 'retry-due']) {
    for (const e of events) {
      if (e.type !== type || !ids.has(e.messageId) || e.dueAt === undefined) continue;
      const k = key(e.messageId, e.attempt);
      if (!due.has(k)) due.set(k, e.dueAt);
      if (type === 'retry-due' && !claimed.has(k)) {
        claimed.add(k);
        claims.push(e.at - e.dueAt);
      }
    }
  }
  const published = new Map<string, number>();
  for (const c of commands) {
    const k = key(c.messageId, c.attempt);
    if (due.has(k)) published.set(k, Math.min(published.get(k) ?? Infinity, c.timestamp));
  }
  const lateness = [...published].map(([k, at]) => at - (due.get(k) as number));
  return {
    retries: due.size,
    commandLatenessMs: summarize(lateness),
    withoutCommand: due.size - published.size,
    commandTimestampType,
    claimLatenessMs: summarize(claims),
  };
}
