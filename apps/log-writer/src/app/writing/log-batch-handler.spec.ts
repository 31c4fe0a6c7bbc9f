import { logRecordRecord, type ConsumedMessage } from '@smartlink/messaging';
import type { NewLog } from '@smartlink/rm-tables';
import { LogWriterCounters } from '../metrics/log-writer-counters';
import { DatabaseWriteGate } from './database-write-gate';
import { InsertTimeoutError } from './insert-timeout-error';
import { LogBatchHandler } from './log-batch-handler';
import { LogWriterStoppingError } from './log-writer-stopping-error';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const timing = { insertTimeoutMs: 10_000, heartbeatEveryMs: 1_000, shutdownGraceMs: 2_000 };

function records(count: number, from = 0): ConsumedMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const { key, value } = logRecordRecord({
      messageId: `m${from + i}`,
      type: 0,
      message: `log ${from + i}`,
      date: NOW.toISOString(),
      source: 'executor',
    });
    return {
      topic: 'ns.logs',
      partition: 0,
      offset: String(from + i),
      key,
      value: Buffer.from(value),
      headers: {},
      timestamp: NOW.getTime(),
    };
  });
}

const junk = (offset: number): ConsumedMessage => ({
  topic: 'ns.logs',
  partition: 0,
  offset: String(offset),
  key: null,
  value: Buffer.from('not json'),
  headers: {},
  timestamp: NOW.getTime(),
});

/** A LogStore double: records every insert; fails while `failing` is set. */
class FakeLogStore {
  readonly inserts: NewLog[][] = [];
  failing: Error | null = null;
  hang = false;

  async insert(logs: readonly NewLog[]): Promise<number> {
    if (this.hang) return new Promise<number>(() => undefined);
    if (this.failing) throw this.failing;
    this.inserts.push([...logs]);
    return logs.length;
  }
}

function setup() {
  const logs = new FakeLogStore();
  const counters = new LogWriterCounters();
  const probe = { up: false };
  const consumer = { pause: jest.fn(), resume: jest.fn() };
  const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const gate = new DatabaseWriteGate({
    probe: async () => probe.up,
    counters,
    logger: quiet,
    now: Date.now,
    topic: 'ns.logs',
    timing: { retryInitialMs: 100, retryMaxMs: 1_000, heartbeatEveryMs: 1_000 },
  });
  gate.attach(consumer);
  const logger = { warn: jest.fn() };
  const handler = new LogBatchHandler({ logs, gate, counters, clock: { now: () => NOW }, logger, timing });
  const heartbeat = jest.fn(async () => undefined);
  return { logs, counters, probe, consumer, gate, handler, logger, heartbeat };
}

describe('LogBatchHandler', () => {
  it('writes a chunk in one insert and counts it', async () => {
    const { handler, logs, counters, heartbeat } = setup();

    await handler.handle(records(1_500), { heartbeat });

    expect(logs.inserts).toHaveLength(1);
    expect(logs.inserts[0]).toHaveLength(1_500);
    expect(counters).toMatchObject({ consumed: 1_500, written: 1_500, insertBatches: 1 });
  });

  it('counts, reports and skips a record that is not a log record; the rest is written', async () => {
    const { handler, logs, counters, logger, heartbeat } = setup();

    await handler.handle([...records(2), junk(2), ...records(1, 3)], { heartbeat });

    expect(logs.inserts[0]?.map((l) => l.messageId)).toEqual(['m0', 'm1', 'm3']);
    expect(counters).toMatchObject({ consumed: 4, written: 3, undecodable: 1 });
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('at ns.logs[0]@2: not JSON'));
  });

  it('commits a chunk of nothing but junk without touching the database', async () => {
    const { handler, logs, heartbeat } = setup();
    await handler.handle([junk(0), junk(1)], { heartbeat });
    expect(logs.inserts).toEqual([]);
  });

  describe('while the database is down', () => {
    beforeEach(() => jest.useFakeTimers({ now: 0 }));
    afterEach(() => jest.useRealTimers());

    it('does not resolve (nothing is committed), pauses, and writes the same rows once the database is back', async () => {
      const { handler, logs, probe, consumer, counters, heartbeat } = setup();
      logs.failing = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      let done = false;
      const handling = handler.handle(records(3), { heartbeat }).then(() => {
        done = true;
      });

      await jest.advanceTimersByTimeAsync(5_000);
      expect(done).toBe(false);
      expect(consumer.pause).toHaveBeenCalledTimes(1);
      expect(counters.failedInserts).toBe(1); // waiting, not retrying the insert in a loop
      expect(heartbeat).toHaveBeenCalled();

      logs.failing = null;
      probe.up = true;
      await jest.advanceTimersByTimeAsync(1_000);
      await handling;

      expect(done).toBe(true);
      expect(logs.inserts).toEqual([expect.arrayContaining([expect.objectContaining({ messageId: 'm2' })])]);
      expect(counters).toMatchObject({ written: 3, outages: 1 });
      expect(consumer.resume).toHaveBeenCalledTimes(1);
    });

    it('treats an insert that gets no answer as failed', async () => {
      const { handler, logs, counters, heartbeat } = setup();
      logs.hang = true;
      const handling = handler.handle(records(1), { heartbeat });
      handling.catch(() => undefined);

      await jest.advanceTimersByTimeAsync(timing.insertTimeoutMs);

      expect(counters.failedInserts).toBe(1);
      // Alive to the group all along: a beat every second of the ten.
      expect(heartbeat.mock.calls.length).toBeGreaterThanOrEqual(9);
      handler.stop();
      await expect(handling).rejects.toBeInstanceOf(LogWriterStoppingError);
    });

    it('hands the chunk back uncommitted (rejects) when the service stops, and says so', async () => {
      const { handler, logs, heartbeat, logger } = setup();
      logs.failing = new Error('down');
      const handling = handler.handle(records(2), { heartbeat });
      const rejection = handling.then(
        () => null,
        (error: unknown) => error,
      );
      await jest.advanceTimersByTimeAsync(1_000);

      handler.stop();
      expect(await rejection).toBeInstanceOf(LogWriterStoppingError);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('Stopping with 2 log records not stored'),
      );
    });
  });

  describe('at shutdown', () => {
    beforeEach(() => jest.useFakeTimers({ now: 0 }));
    afterEach(() => jest.useRealTimers());

    it('lets an insert in flight finish within the grace', async () => {
      const { handler, logs, heartbeat } = setup();
      let finish: () => void = () => undefined;
      const slow = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const insert = logs.insert.bind(logs);
      logs.insert = async (rows) => {
        await slow;
        return insert(rows);
      };
      const handling = handler.handle(records(2), { heartbeat });
      await jest.advanceTimersByTimeAsync(0); // the insert is in flight

      handler.stop();
      await jest.advanceTimersByTimeAsync(timing.shutdownGraceMs - 1);
      finish();

      await expect(handling).resolves.toBeUndefined();
      expect(logs.inserts).toHaveLength(1);
    });

    it('gives up an insert that outlasts the grace, leaving the chunk uncommitted', async () => {
      const { handler, logs, heartbeat } = setup();
      logs.hang = true;
      const handling = handler.handle(records(2), { heartbeat });
      const rejection = handling.then(
        () => null,
        (error: unknown) => error,
      );
      await jest.advanceTimersByTimeAsync(0); // the insert is in flight

      handler.stop();
      await jest.advanceTimersByTimeAsync(timing.shutdownGraceMs);
      expect(await rejection).toBeInstanceOf(LogWriterStoppingError);
    });
  });

  it('names a timed-out insert by its own error', () => {
    expect(new InsertTimeoutError(5)).toMatchObject({ code: 'LOG_INSERT_TIMEOUT', retriable: true });
  });
});
