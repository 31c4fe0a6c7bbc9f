import { DatabaseOutageHold } from './database-outage-hold';

class LoggerDouble {
  readonly lines: { level: string; message: string }[] = [];
  log(message: string): void {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
}

/** A database that answers the probe as `answers` says, one answer per probe, then the last one forever. */
function setup(answers: boolean[]) {
  const journal: string[] = [];
  const logger = new LoggerDouble();
  let clock = 1_000;
  const hold = new DatabaseOutageHold({
    probe: async () => {
      const up = answers.length > 1 ? (answers.shift() as boolean) : (answers[0] ?? true);
      journal.push(`probe ${up ? 'up' : 'down'}`);
      return up;
    },
    logger,
    now: () => clock,
    timing: { retryInitialMs: 100, retryMaxMs: 300 },
    delay: async (ms, signal) => {
      if (signal.aborted) throw signal.reason;
      journal.push(`wait ${ms}`);
      clock += ms;
    },
  });
  const heartbeat = async () => void journal.push('heartbeat');
  return { hold, journal, logger, heartbeat };
}

/** Work that fails its first `failures` runs with `error`, then succeeds. */
function work(journal: string[], failures: number, error = new Error('connect ECONNREFUSED 127.0.0.1:5432')) {
  let runs = 0;
  return async () => {
    runs += 1;
    journal.push(`run ${runs}`);
    if (runs <= failures) throw error;
  };
}

describe('DatabaseOutageHold', () => {
  it('runs the work once when it succeeds', async () => {
    const { hold, journal, heartbeat } = setup([true]);
    await hold.run(work(journal, 0), heartbeat);
    expect(journal).toEqual(['run 1']);
  });

  describe('when the work fails while the database answers', () => {
    it('throws the failure at once: it is not an outage', async () => {
      const { hold, journal, heartbeat } = setup([true]);
      const failure = new Error('duplicate key');
      await expect(hold.run(work(journal, 1, failure), heartbeat)).rejects.toBe(failure);
      expect(journal).toEqual(['run 1', 'probe up']);
    });
  });

  describe('when the work fails while the database is down', () => {
    it('heartbeats and probes with a capped backoff, and runs the work again once the database answers', async () => {
      const { hold, journal, logger, heartbeat } = setup([false, false, false, false, true]);

      await hold.run(work(journal, 1), heartbeat);

      expect(journal).toEqual([
        'run 1',
        'probe down',
        'wait 100',
        'heartbeat',
        'probe down',
        'wait 200',
        'heartbeat',
        'probe down',
        'wait 300',
        'heartbeat',
        'probe down',
        'wait 300',
        'heartbeat',
        'probe up',
        'run 2',
      ]);
      expect(logger.lines.map((l) => [l.level, l.message])).toEqual([
        [
          'warn',
          'The database does not answer (connect ECONNREFUSED 127.0.0.1:5432); chunks that fail wait uncommitted ' +
            'and run again as soon as it answers',
        ],
        ['log', 'The database answers again after 900 ms; held chunks go on'],
      ]);
    });

    it('holds again when the work fails again while the database is down', async () => {
      const { hold, journal, heartbeat } = setup([false, true, false, true]);
      await hold.run(work(journal, 2), heartbeat);
      expect(journal.filter((j) => j.startsWith('run'))).toEqual(['run 1', 'run 2', 'run 3']);
    });

    it('hands the chunk back when the group rebalances meanwhile (the heartbeat throws)', async () => {
      const { hold, journal } = setup([false]);
      const rebalancing = new Error('The group is rebalancing');
      await expect(
        hold.run(work(journal, 1), async () => {
          throw rebalancing;
        }),
      ).rejects.toBe(rebalancing);
    });

    it('throws the failure when the service stops, so the consumer can hand the chunk back', async () => {
      const { hold, journal } = setup([false]);
      const failure = new Error('Connection terminated unexpectedly');
      let beats = 0;
      const running = hold.run(work(journal, 10, failure), async () => {
        beats += 1;
        if (beats === 2) hold.stop();
      });
      await expect(running).rejects.toBe(failure);
      expect(journal.filter((j) => j.startsWith('run'))).toEqual(['run 1']);
    });
  });

  it('throws a failure at once after stop, without probing', async () => {
    const { hold, journal, heartbeat } = setup([false]);
    hold.stop();
    const failure = new Error('Connection terminated unexpectedly');
    await expect(hold.run(work(journal, 1, failure), heartbeat)).rejects.toBe(failure);
    expect(journal).toEqual(['run 1']);
  });
});
