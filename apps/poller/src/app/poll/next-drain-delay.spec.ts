import { nextDrainDelay, type LastRound, type PollTiming } from './next-drain-delay';

const interval: PollTiming = {
  continuous: false,
  intervalMs: 60_000,
  idleDelayMs: 500,
  retryInitialMs: 1_000,
  retryMaxMs: 30_000,
};
const continuous: PollTiming = { ...interval, continuous: true };
const round = (last: Partial<LastRound>): LastRound => ({
  stop: 'queue-empty',
  startedAt: 0,
  finishedAt: 0,
  failures: 0,
  retryAfterMs: null,
  idleRounds: 0,
  ...last,
});

describe('nextDrainDelay', () => {
  describe('in interval mode', () => {
    it('keeps the cadence from the start of the last round, like RM once a minute', () => {
      expect(nextDrainDelay(interval, round({ startedAt: 0, finishedAt: 12_000 }))).toBe(48_000);
    });

    it('starts at once when a round outlasted the interval', () => {
      expect(nextDrainDelay(interval, round({ startedAt: 0, finishedAt: 90_000 }))).toBe(0);
    });

    it('waits the interval also while inactive (the lease or setup kicks it earlier)', () => {
      expect(nextDrainDelay(interval, round({ stop: 'inactive' }))).toBe(60_000);
    });
  });

  describe('in continuous mode', () => {
    it('asks again after 25 ms when the round took messages: more are likely on their way', () => {
      expect(nextDrainDelay(continuous, round({ stop: 'queue-empty', idleRounds: 0 }))).toBe(25);
    });

    it('doubles the wait over rounds that find the queue empty, up to the idle delay', () => {
      const delays = [1, 2, 3, 4, 5, 6, 100].map((idleRounds) =>
        nextDrainDelay(continuous, round({ stop: 'queue-empty', idleRounds })),
      );
      expect(delays).toEqual([50, 100, 200, 400, 500, 500, 500]);
    });

    it.each(['backpressure', 'lease-lost', 'inactive'] as const)(
      'asks again after the idle delay when the round ended with %s',
      (stop) => {
        expect(nextDrainDelay(continuous, round({ stop, finishedAt: 5_000 }))).toBe(500);
      },
    );
  });

  describe('after a failure', () => {
    it.each(['cloud-failed', 'kafka-failed', 'backlog-unknown'] as const)('backs off after %s', (stop) => {
      expect(nextDrainDelay(continuous, round({ stop, failures: 1 }))).toBe(1_000);
      expect(nextDrainDelay(continuous, round({ stop, failures: 3 }))).toBe(4_000);
      expect(nextDrainDelay(continuous, round({ stop, failures: 20 }))).toBe(30_000);
    });

    it("honours the cloud's Retry-After", () => {
      expect(
        nextDrainDelay(continuous, round({ stop: 'cloud-failed', failures: 1, retryAfterMs: 7_000 })),
      ).toBe(7_000);
    });

    it('never polls sooner than the interval in interval mode', () => {
      expect(nextDrainDelay(interval, round({ stop: 'kafka-failed', failures: 1 }))).toBe(60_000);
    });
  });

  it('schedules nothing once stopping', () => {
    expect(nextDrainDelay(continuous, round({ stop: 'stopping' }))).toBeNull();
  });
});
