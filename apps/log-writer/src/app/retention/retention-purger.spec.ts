import type { PurgeInput } from '@smartlink/rm-tables';
import { LogWriterCounters } from '../metrics/log-writer-counters';
import { RetentionPurger } from './retention-purger';

const NOW = new Date('2026-03-31T00:00:00.000Z');
const DAY = 86_400_000;
const settings = { execRetentionDays: 90, logRetentionDays: 30, chunkSize: 100, chunkPauseMs: 50 };

/** A purge double: deletes from a pile of `rows` at most `limit` per call, recording each call. */
function table(rows: number) {
  let left = rows;
  const calls: PurgeInput[] = [];
  const double = {
    calls,
    /** Runs before each call's answer, e.g. to lose the lease or fail. */
    onCall: (_call: number): void => undefined,
    purge: async (input: PurgeInput) => {
      calls.push(input);
      double.onCall(calls.length);
      const deleted = Math.min(left, input.limit);
      left -= deleted;
      return deleted;
    },
  };
  return double;
}

function setup({ attemptRows = 0, logRows = 0, held = true } = {}) {
  const attempts = table(attemptRows);
  const logs = table(logRows);
  const lease = { held };
  const pauses: number[] = [];
  const counters = new LogWriterCounters();
  const logger = { log: jest.fn(), debug: jest.fn() };
  const purger = new RetentionPurger({
    attempts: { purgeFinishedBefore: attempts.purge },
    logs: { purgeBefore: logs.purge },
    lease: { isHeld: () => lease.held },
    counters,
    clock: { now: () => NOW },
    pause: async (ms) => {
      pauses.push(ms);
    },
    logger,
    settings,
  });
  return { purger, attempts, logs, lease, pauses, counters, logger };
}

describe('RetentionPurger', () => {
  const running = () => new AbortController().signal;

  it('purges attempts older than EXEC_RETENTION_DAYS and logs older than LOG_RETENTION_DAYS', async () => {
    const { purger, attempts, logs } = setup({ attemptRows: 1, logRows: 1 });

    const summary = await purger.run(running());

    expect(attempts.calls[0]).toEqual({ before: new Date(NOW.getTime() - 90 * DAY), limit: 100 });
    expect(logs.calls[0]).toEqual({ before: new Date(NOW.getTime() - 30 * DAY), limit: 100 });
    expect(summary).toMatchObject({ attempts: 1, logs: 1, complete: true });
  });

  it('deletes in chunks of the configured size, pausing between them, until a chunk deletes nothing', async () => {
    const { purger, attempts, logs, pauses, counters } = setup({ attemptRows: 250, logRows: 100 });

    const summary = await purger.run(running());

    expect(attempts.calls.map((c) => c.limit)).toEqual([100, 100, 100, 100]); // 100, 100, 50, 0
    expect(logs.calls).toHaveLength(2); // 100, 0
    expect(pauses).toEqual([50, 50, 50, 50]);
    expect(summary).toMatchObject({ attempts: 250, logs: 100, statements: 6, complete: true });
    expect(counters).toMatchObject({ purgeRuns: 1, purgedAttempts: 250, purgedLogs: 100 });
  });

  it('logs a summary with the counts, the cutoffs and the duration', async () => {
    const { purger, logger } = setup({ attemptRows: 3, logRows: 4 });
    await purger.run(running());
    expect(logger.log).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Retention purge done: 3 GTOTVSLINKMESSAGEEXEC rows finished before 2025-12-31T00:00:00.000Z \(90 days\) and 4 GTOTVSLINKLOG rows dated before 2026-03-01T00:00:00.000Z \(30 days\) removed in 4 statements .*, 0 ms$/,
      ),
    );
  });

  describe('when another replica holds the purger lease', () => {
    it('does nothing', async () => {
      const { purger, attempts, logs, counters } = setup({ attemptRows: 10, held: false });
      expect(await purger.run(running())).toBeNull();
      expect(attempts.calls).toEqual([]);
      expect(logs.calls).toEqual([]);
      expect(counters.purgeRuns).toBe(0);
    });
  });

  describe('when the lease is lost during a run', () => {
    it('stops before the next statement and reports the run incomplete', async () => {
      const { purger, attempts, logs, lease } = setup({ attemptRows: 1_000, logRows: 10 });
      attempts.onCall = (call) => {
        if (call === 2) lease.held = false; // lost while the second statement runs
      };

      const summary = await purger.run(running());

      expect(attempts.calls).toHaveLength(2);
      expect(logs.calls).toEqual([]);
      expect(summary).toMatchObject({ attempts: 200, logs: 0, complete: false });
    });
  });

  describe('at shutdown', () => {
    it('stops between two chunks', async () => {
      const stopping = new AbortController();
      const { purger, attempts } = setup({ attemptRows: 1_000 });
      stopping.abort();
      const summary = await purger.run(stopping.signal);
      expect(attempts.calls).toEqual([]);
      expect(summary?.complete).toBe(false);
    });

    it('stops when the pause between chunks is cut short', async () => {
      const { attempts, logs, counters, logger } = setup({ attemptRows: 1_000 });
      const purger = new RetentionPurger({
        attempts: { purgeFinishedBefore: attempts.purge },
        logs: { purgeBefore: logs.purge },
        lease: { isHeld: () => true },
        counters,
        clock: { now: () => NOW },
        pause: async () => {
          throw new Error('aborted');
        },
        logger,
        settings,
      });
      const summary = await purger.run(running());
      expect(attempts.calls).toHaveLength(1);
      expect(summary).toMatchObject({ attempts: 100, complete: false });
    });
  });

  it('lets a database error through to the scheduler', async () => {
    const { purger, attempts } = setup({ attemptRows: 10 });
    attempts.onCall = () => {
      throw new Error('purge attempts failed: connection refused');
    };
    await expect(purger.run(running())).rejects.toThrow('connection refused');
  });
});
