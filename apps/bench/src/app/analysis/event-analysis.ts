import { bestWindowRate, countPerSecond, perSecond, steadyRate } from '../stats/rates';
import { summarize, type SampleSummary } from '../stats/sample-summary';
import type { BenchEvent, OutcomeRecord } from './bench-event';

// Where the instants come from. The received events (`<ns>.received`) give when a message was received (and its cloud
// enqueue time); the event log (`<ns>.events`) when a retry was planned and claimed, and when an upstream message was
// stored. The command records
// (`<ns>.cmd.<Command>`) give each dispatch: the executor or the retry scheduler publishes one per attempt, and its
// record timestamp is when it was dispatched. The outcome records (`<ns>.outcomes`) give each attempt's end and its
// handler's start. For the end of an attempt the analysis takes the outcome's record timestamp, not its `finishedAt`:
// the record timestamp is on the same clock as the command records' (the producers' CreateTime, or the broker's with
// LogAppendTime), so a stage that runs from a command record to an outcome record compares like with like; and it
// counts the segment's publish of the outcome, which `finishedAt` (the handler's own end) leaves out.
//
// Until the lean event flow's step 1 the executor wrote `dispatched` and `succeeded` events, and the analysis took
// the dispatch and the end from their record timestamps. Two stages moved with the change (their fields keep their
// names): a dispatch is now the command record, stamped before the executor marks the row dispatched rather than
// after; and a success is now the segment's outcome record, stamped before the executor reads it and records the
// success row rather than after. So `succeeded`, `finishedAt`, `enqueueToRecordedMs` and `hopsMs.toRecorded` no
// longer hold the executor's recording of the last success (typically one chunk, tens of milliseconds), and
// `hopsMs.toHandler` can no longer be negative.

/** Downstream throughput: from the first get to the last successful outcome, for the messages of one run. */
export interface ThroughputFigures {
  readonly messages: number;
  /** First `received` event (the poller's first get of the run returned). */
  readonly startedAt: number;
  /** Last successful outcome record (the segment reported it; the executor records it just after). */
  readonly finishedAt: number;
  readonly windowMs: number;
  readonly msgPerSec: number | null;
  /** Median second once under way (see steadyRate). */
  readonly steadyMsgPerSec: number | null;
  /** Best 5 consecutive seconds. */
  readonly best5sMsgPerSec: number | null;
  /**
   * Per second since `startedAt`, the messages through each stage: received (appended to the event log by the
   * poller), dispatched (attempt 1's command record published by the executor), handled (the segment's handler
   * started) and succeeded (the successful outcome record published by the segment). The slowest stage shows where
   * the pipeline waits.
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
  /** enqueuedAt → the successful outcome record (the segment reported the success; the executor records it next). */
  readonly enqueueToRecordedMs: SampleSummary | null;
  /**
   * The same path hop by hop, to show where the time goes: cloud queue → appended by the poller (`received`);
   * → attempt 1's command record published by the executor; → the handler started; → the successful outcome
   * record published by the segment.
   */
  readonly hopsMs: {
    readonly toReceived: SampleSummary | null;
    readonly toDispatched: SampleSummary | null;
    readonly toHandler: SampleSummary | null;
    readonly toRecorded: SampleSummary | null;
  };
}

/** Upstream: segments' messages stored by the executor → sent to the cloud. */
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

/** An upstream send recorded as succeeded in GTOTVSLINKMESSAGEEXEC. */
export interface UpstreamSend {
  readonly messageId: string;
  /** DATAFIM of its history row: when the cloud's answer came back. */
  readonly finishedAt: number;
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

/**
 * The first successful outcome record of each message among `ids`. A segment delivers an outcome at least once, so
 * the same success can be on the topic twice; the executor records it once.
 */
function firstSuccesses(
  outcomes: readonly OutcomeRecord[],
  ids: ReadonlyMap<string, unknown>,
): OutcomeRecord[] {
  const byId = new Map<string, OutcomeRecord>();
  for (const o of outcomes) {
    if (o.status !== 'succeeded' || !ids.has(o.messageId)) continue;
    const seen = byId.get(o.messageId);
    if (!seen || o.timestamp < seen.timestamp) byId.set(o.messageId, o);
  }
  return [...byId.values()];
}

/** When each message among `ids` was first dispatched: the earliest command record of its attempt 1. */
function firstDispatches(
  commands: readonly CommandRecord[],
  ids: ReadonlyMap<string, unknown>,
): Map<string, number> {
  const dispatched = new Map<string, number>();
  for (const c of commands) {
    if (c.attempt !== 1 || !ids.has(c.messageId)) continue;
    dispatched.set(c.messageId, Math.min(dispatched.get(c.messageId) ?? Infinity, c.timestamp));
  }
  return dispatched;
}

/** The throughput of the messages whose received event carries `source`; null if none of them succeeded. */
export function throughputOf(
  events: readonly BenchEvent[],
  outcomes: readonly OutcomeRecord[],
  commands: readonly CommandRecord[],
  source: string,
): ThroughputFigures | null {
  const received = receivedFrom(events, source);
  const succeeded = firstSuccesses(outcomes, received);
  if (succeeded.length === 0) return null;
  const startedAt = minOf([...received.values()].map((e) => e.at));
  const finishedAt = maxOf(succeeded.map((o) => o.timestamp));
  const windowMs = finishedAt - startedAt;
  const seconds = Math.floor(windowMs / 1000) + 1;
  const doneSeries = countPerSecond(
    succeeded.map((o) => o.timestamp),
    startedAt,
    seconds,
  );
  const dispatched = firstDispatches(commands, received);
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
      handled: series(succeeded.map((o) => o.startedAt)),
      succeeded: doneSeries,
    },
  };
}

/** Enqueue → handler latency of the messages whose received event carries `source` (their first attempt). */
export function latencyOf(
  events: readonly BenchEvent[],
  outcomes: readonly OutcomeRecord[],
  commands: readonly CommandRecord[],
  source: string,
): LatencyFigures {
  const received = receivedFrom(events, source);
  const succeeded = firstSuccesses(outcomes, received).filter((o) => o.attempt === 1);
  const dispatchedAt = firstDispatches(commands, received);
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
    toHandler.push(success.startedAt - enqueuedAt);
    toRecorded.push(success.timestamp - enqueuedAt);
    const dispatched = dispatchedAt.get(success.messageId);
    if (dispatched === undefined) continue;
    hops.toReceived.push(got.at - enqueuedAt);
    hops.toDispatched.push(dispatched - got.at);
    hops.toHandler.push(success.startedAt - dispatched);
    hops.toRecorded.push(success.timestamp - success.startedAt);
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

/**
 * Upstream throughput: first `published` event (the executor stored the message) → the last successful send, as
 * its history row's DATAFIM says. An upstream send has no outcome record yet, and no `succeeded` event any more; its
 * history row is where its success is recorded. Until the lean event flow's step 1 the end was the `succeeded`
 * event, sent just after that row was written: the window now ends at the cloud's answer instead, before the row.
 */
export function upstreamOf(
  events: readonly BenchEvent[],
  sends: readonly UpstreamSend[],
): UpstreamFigures | null {
  const published = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'published' && !published.has(e.messageId)) published.set(e.messageId, e.at);
  }
  if (published.size === 0) return null;
  const sent = new Map<string, number>();
  for (const s of sends) {
    if (published.has(s.messageId))
      sent.set(s.messageId, Math.min(sent.get(s.messageId) ?? Infinity, s.finishedAt));
  }
  if (sent.size === 0) return null;
  const windowMs = maxOf([...sent.values()]) - minOf([...published.values()]);
  return { messages: sent.size, windowMs, msgPerSec: perSecond(sent.size, windowMs) };
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
