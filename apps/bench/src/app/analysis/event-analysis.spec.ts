import type { BenchEvent, OutcomeRecord } from './bench-event';
import {
  latencyOf,
  retriesOf,
  throughputOf,
  upstreamOf,
  type CommandRecord,
  type UpstreamSend,
} from './event-analysis';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');

function received(id: string, at: number, source: string, enqueuedAt: number | null = null): BenchEvent {
  return { type: 'received', messageId: id, at, recordedAt: at + 1, source, enqueuedAt };
}
/** A successful outcome record of attempt 1, stamped at `timestamp`, its handler started at `startedAt`. */
function succeeded(id: string, timestamp: number, extra: Partial<OutcomeRecord> = {}): OutcomeRecord {
  return {
    messageId: id,
    attempt: 1,
    status: 'succeeded',
    startedAt: timestamp - 100,
    finishedAt: timestamp - 5,
    timestamp,
    ...extra,
  };
}
const command = (messageId: string, attempt: number, timestamp: number): CommandRecord => ({
  messageId,
  attempt,
  timestamp,
});

describe('throughputOf', () => {
  it('counts the run from the first received event to the last successful outcome record', () => {
    const events = [
      received('a', T0, 'load'),
      received('b', T0 + 100, 'load'),
      received('c', T0 + 200, 'load'),
    ];
    const commands = [command('a', 1, T0 + 60), command('b', 1, T0 + 1_060), command('b', 1, T0 + 1_900)];
    const outcomes = [
      succeeded('a', T0 + 500, { startedAt: T0 + 100 }),
      succeeded('b', T0 + 1_500, { startedAt: T0 + 1_100 }),
      succeeded('c', T0 + 2_000, { startedAt: T0 + 1_900 }),
    ];

    const figures = throughputOf(events, outcomes, commands, 'load');

    expect(figures).toMatchObject({ messages: 3, startedAt: T0, finishedAt: T0 + 2_000, windowMs: 2_000 });
    expect(figures?.msgPerSec).toBe(1.5);
    expect(figures?.perSecond).toEqual({
      received: [3, 0, 0],
      // A command record published again (a redelivered chunk) is the same dispatch: its first one counts.
      dispatched: [1, 1, 0],
      handled: [1, 2, 0],
      succeeded: [1, 1, 1],
    });
  });

  it('leaves out messages of other runs and failed outcomes, and counts a repeated success once', () => {
    const events = [received('a', T0, 'load'), received('x', T0 - 60_000, 'other')];
    const outcomes = [
      succeeded('x', T0 + 10_000),
      succeeded('a', T0 + 400, { status: 'failed' }),
      succeeded('a', T0 + 1_000),
      succeeded('a', T0 + 9_000), // the same outcome delivered again
    ];

    expect(throughputOf(events, outcomes, [], 'load')).toMatchObject({
      messages: 1,
      windowMs: 1_000,
      msgPerSec: 1,
    });
  });

  it('is null when nothing of the run succeeded', () => {
    expect(throughputOf([received('a', T0, 'load')], [], [], 'load')).toBeNull();
  });
});

describe('latencyOf', () => {
  it('measures from the cloud enqueue to the handler start and to the successful outcome record', () => {
    const events = [received('a', T0 + 30, 'lat', T0), received('b', T0 + 1_030, 'lat', T0 + 1_000)];
    const commands = [command('a', 1, T0 + 50), command('b', 1, T0 + 1_060)];
    const outcomes = [
      succeeded('a', T0 + 200, { startedAt: T0 + 80 }),
      succeeded('b', T0 + 1_300, { startedAt: T0 + 1_120 }),
    ];

    const figures = latencyOf(events, outcomes, commands, 'lat');

    expect(figures.messages).toBe(2);
    expect(figures.offeredMsgPerSec).toBe(1);
    expect(figures.enqueueToHandlerMs).toMatchObject({ count: 2, p50: 80, p99: 120, max: 120 });
    expect(figures.enqueueToRecordedMs).toMatchObject({ p50: 200, max: 300 });
    expect(figures.hopsMs).toMatchObject({
      toReceived: { p50: 30, max: 30 },
      toDispatched: { p50: 20, max: 30 },
      toHandler: { p50: 30, max: 60 },
      toRecorded: { p50: 120, max: 180 },
    });
  });

  it('uses only first attempts, and skips messages without an enqueue time', () => {
    const events = [received('a', T0, 'lat', T0), received('b', T0, 'lat', null)];
    const outcomes = [
      succeeded('a', T0 + 5_000, { startedAt: T0 + 4_000, attempt: 2 }),
      succeeded('b', T0 + 50, { startedAt: T0 + 40 }),
    ];

    expect(latencyOf(events, outcomes, [], 'lat').enqueueToHandlerMs).toBeNull();
  });

  it('leaves a message without a command record of attempt 1 out of the hops only', () => {
    const events = [received('a', T0 + 30, 'lat', T0)];
    const outcomes = [succeeded('a', T0 + 200, { startedAt: T0 + 80 })];

    const figures = latencyOf(events, outcomes, [command('a', 2, T0 + 50)], 'lat');

    expect(figures.enqueueToHandlerMs).toMatchObject({ count: 1, p50: 80 });
    expect(figures.hopsMs.toDispatched).toBeNull();
  });
});

describe('upstreamOf', () => {
  const send = (messageId: string, finishedAt: number): UpstreamSend => ({ messageId, finishedAt });

  it('counts from the first message stored to the last successful send recorded', () => {
    const events: BenchEvent[] = [
      { type: 'published', messageId: 'u1', at: T0, recordedAt: T0 + 1 },
      { type: 'published', messageId: 'u2', at: T0 + 10, recordedAt: T0 + 11 },
    ];
    const sends = [send('u1', T0 + 250), send('u2', T0 + 500), send('other', T0 + 900)];

    expect(upstreamOf(events, sends)).toEqual({ messages: 2, windowMs: 500, msgPerSec: 4 });
  });

  it('is null without published messages, or without a successful send of them', () => {
    expect(upstreamOf([], [send('u1', T0)])).toBeNull();
    expect(upstreamOf([{ type: 'published', messageId: 'u1', at: T0, recordedAt: T0 }], [])).toBeNull();
  });
});

describe('retriesOf', () => {
  const event = (type: string, id: string, at: number, dueAt: number, attempt = 2): BenchEvent => ({
    type,
    messageId: id,
    at,
    recordedAt: at,
    attempt,
    dueAt,
  });

  it("measures each retry's command record against the due time its plan set, and its claim", () => {
    const events = [
      received('r1', T0, 'retry'),
      received('r2', T0, 'retry'),
      event('retry-scheduled', 'r1', T0 + 20, T0 + 2_000),
      event('retry-scheduled', 'r2', T0 + 30, T0 + 2_000),
      event('retry-due', 'r1', T0 + 2_100, T0 + 2_000),
      event('retry-due', 'r2', T0 + 2_300, T0 + 2_000),
      event('retry-due', 'other', T0 + 9_999, T0),
    ];
    const commands = [
      command('r1', 1, T0 + 10),
      command('r1', 2, T0 + 2_150),
      command('r1', 2, T0 + 2_900), // published again (a redelivered retry-due): the first one counts
      command('r2', 2, T0 + 2_400),
      command('other', 2, T0 + 9_999),
    ];

    const figures = retriesOf(events, 'retry', commands, 'CreateTime');

    expect(figures).toMatchObject({ retries: 2, withoutCommand: 0, commandTimestampType: 'CreateTime' });
    expect(figures.commandLatenessMs).toMatchObject({ count: 2, p50: 150, max: 400 });
    expect(figures.claimLatenessMs).toMatchObject({ count: 2, p50: 100, max: 300 });
  });

  it('takes the due time of a retry-due event when its plan is not in the log, and counts retries never sent', () => {
    const events = [
      received('r1', T0, 'retry'),
      received('r2', T0, 'retry'),
      event('retry-due', 'r1', T0 + 2_100, T0 + 2_000),
      event('retry-scheduled', 'r2', T0 + 30, T0 + 2_000),
    ];

    const figures = retriesOf(events, 'retry', [command('r1', 2, T0 + 2_500)], null);

    expect(figures).toMatchObject({ retries: 2, withoutCommand: 1, commandTimestampType: null });
    expect(figures.commandLatenessMs).toMatchObject({ count: 1, p50: 500 });
  });
});
