import { LogWriterCounters } from '../metrics/log-writer-counters';
import { DatabaseWriteGate } from './database-write-gate';
import { LogWriterStoppingError } from './log-writer-stopping-error';

const timing = { retryInitialMs: 100, retryMaxMs: 400, heartbeatEveryMs: 1_000 };

function setup() {
  const calls: string[] = [];
  let databaseUp = false;
  const probes: number[] = [];
  const counters = new LogWriterCounters();
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const gate = new DatabaseWriteGate({
    probe: async () => {
      probes.push(Date.now());
      return databaseUp;
    },
    counters,
    logger,
    now: Date.now,
    topic: 'ns.logs',
    timing,
  });
  gate.attach({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
  return {
    gate,
    calls,
    probes,
    counters,
    logger,
    databaseComesBack: () => {
      databaseUp = true;
    },
  };
}

describe('DatabaseWriteGate', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('lets chunks through at once while the database takes writes', async () => {
    const { gate, calls } = setup();
    await expect(gate.whenOpen(async () => undefined)).resolves.toBeUndefined();
    expect(gate.takesWrites()).toBe(true);
    expect(calls).toEqual([]);
  });

  describe('when a write fails', () => {
    it('pauses consumption, reports the database down and logs the outage once', () => {
      const { gate, calls, counters, logger } = setup();
      gate.failed(new Error('connection refused'), 2_000);
      gate.failed(new Error('connection refused'), 2_000);

      expect(calls).toEqual(['pause']);
      expect(gate.takesWrites()).toBe(false);
      expect(gate.details()).toMatchObject({ consuming: false, failuresInARow: 2 });
      expect(counters).toMatchObject({ failedInserts: 2, outages: 1 });
      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('Consumption of ns.logs pauses'));
    });

    it('probes with a growing backoff up to the ceiling, never in a busy loop', async () => {
      const { gate, probes } = setup();
      gate.failed(new Error('down'), 1);

      await jest.advanceTimersByTimeAsync(2_000);

      // 100, then 200, then 400 (the ceiling) between probes.
      expect(probes.slice(0, 5)).toEqual([100, 300, 700, 1_100, 1_500]);
    });

    it('holds a waiting chunk, heartbeating, until a probe answers; then resumes consumption', async () => {
      const { gate, calls, databaseComesBack } = setup();
      gate.failed(new Error('down'), 1);
      const heartbeat = jest.fn(async () => undefined);
      let passed = false;
      const waiting = gate.whenOpen(heartbeat).then(() => {
        passed = true;
      });

      await jest.advanceTimersByTimeAsync(3_500);
      expect(passed).toBe(false);
      expect(heartbeat).toHaveBeenCalledTimes(3);

      databaseComesBack();
      await jest.advanceTimersByTimeAsync(400);
      await waiting;
      expect(passed).toBe(true);
      expect(calls).toEqual(['pause', 'resume']);
      // Open for a try, but the outage only ends with a successful write.
      expect(gate.takesWrites()).toBe(false);
    });

    it('ends the outage with the first successful write', async () => {
      const { gate, logger, databaseComesBack } = setup();
      gate.failed(new Error('down'), 1);
      databaseComesBack();
      await jest.advanceTimersByTimeAsync(100);

      gate.succeeded();

      expect(gate.takesWrites()).toBe(true);
      expect(gate.details()).toEqual({ failuresInARow: 0, outageSince: null, consuming: true });
      expect(logger.log).toHaveBeenCalledWith(expect.stringContaining('takes writes again after 100 ms'));
    });

    it('closes again with a longer wait when the write after a good probe fails too', async () => {
      const { gate, calls, probes, databaseComesBack } = setup();
      databaseComesBack(); // SELECT 1 answers, yet inserts fail (say, a permission problem)
      gate.failed(new Error('permission denied'), 1);
      await jest.advanceTimersByTimeAsync(100);
      gate.failed(new Error('permission denied'), 1);
      await jest.advanceTimersByTimeAsync(200);

      expect(probes).toEqual([100, 300]);
      expect(calls).toEqual(['pause', 'resume', 'pause', 'resume']);
    });

    it('hands a waiting chunk back when a heartbeat fails (the group rebalances)', async () => {
      const { gate } = setup();
      gate.failed(new Error('down'), 1);
      const waiting = gate.whenOpen(async () => {
        throw new Error('The group is rebalancing');
      });
      const rejection = waiting.then(
        () => null,
        (error: unknown) => error,
      );
      await jest.advanceTimersByTimeAsync(1_000);
      expect(await rejection).toEqual(new Error('The group is rebalancing'));
    });
  });

  describe('at shutdown', () => {
    it('turns every wait into a stopping error and stops probing', async () => {
      const { gate, probes } = setup();
      gate.failed(new Error('down'), 1);
      const waiting = gate.whenOpen(async () => undefined);
      const rejection = waiting.then(
        () => null,
        (error: unknown) => error,
      );

      gate.stop();
      expect(await rejection).toBeInstanceOf(LogWriterStoppingError);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(probes).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  it('pauses a consumer attached after the first failure', () => {
    const { gate } = setup();
    gate.failed(new Error('down'), 1);
    const late = { pause: jest.fn(), resume: jest.fn() };
    gate.attach(late);
    expect(late.pause).toHaveBeenCalledTimes(1);
  });
});
