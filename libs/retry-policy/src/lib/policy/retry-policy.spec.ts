import type { RetryPolicyDocument } from '../document/retry-policy-document';
import { RETRY_POLICY_DEFAULTS } from './retry-policy.defaults';
import { RetryPolicy, type NextAttemptInput } from './retry-policy';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const MIDDLE = () => 0.5; // jitter factor exactly 1
const failed = (attempt: number, overrides: Partial<NextAttemptInput> = {}): NextAttemptInput => ({
  attempt,
  error: { kind: 'failed', message: 'boom' },
  command: 'DemoInvoiceIssued',
  now: NOW,
  ...overrides,
});
const delays = (policy: RetryPolicy, attempts: number[], command = 'DemoInvoiceIssued') =>
  attempts.map((attempt) => {
    const decision = policy.nextAttempt(failed(attempt, { command }));
    return decision.kind === 'retry' ? decision.delayMs : decision.reason;
  });
const policyOf = (
  retry: RetryPolicyDocument['retry'],
  random = MIDDLE,
  commands?: RetryPolicyDocument['commands'],
) => new RetryPolicy({ retry, ...(commands ? { commands } : {}) }, random);

describe('RetryPolicy', () => {
  describe('on the built-in defaults', () => {
    const policy = new RetryPolicy({}, MIDDLE);

    it('retries after 30 s, 60 s, 2 min and 4 min, then gives up after the 5th attempt', () => {
      expect(delays(policy, [1, 2, 3, 4, 5])).toEqual([
        30_000,
        60_000,
        120_000,
        240_000,
        'attempts-exhausted',
      ]);
      expect(policy.settingsFor('Anything')).toEqual(RETRY_POLICY_DEFAULTS);
    });

    it('plans the next attempt relative to the clock it is given, numbered after the failed one', () => {
      expect(policy.nextAttempt(failed(2))).toEqual({
        kind: 'retry',
        at: new Date('2026-03-01T12:01:00.000Z'),
        delayMs: 60_000,
        nextAttempt: 3,
      });
    });
  });

  describe('strategies', () => {
    const base = { maxAttempts: 6, initialDelayMs: 1_000, multiplier: 3, maxDelayMs: 3_600_000, jitter: 0 };

    it('fixed waits the initial delay every time', () => {
      expect(delays(policyOf({ ...base, strategy: 'fixed' }), [1, 2, 3, 4, 5])).toEqual([
        1_000, 1_000, 1_000, 1_000, 1_000,
      ]);
    });

    it('linear adds the initial delay each time', () => {
      expect(delays(policyOf({ ...base, strategy: 'linear' }), [1, 2, 3, 4, 5])).toEqual([
        1_000, 2_000, 3_000, 4_000, 5_000,
      ]);
    });

    it('exponential multiplies by the multiplier each time', () => {
      expect(delays(policyOf({ ...base, strategy: 'exponential' }), [1, 2, 3, 4, 5])).toEqual([
        1_000, 3_000, 9_000, 27_000, 81_000,
      ]);
    });

    it('caps every strategy at maxDelayMs, even where the exponent overflows', () => {
      const capped = { ...base, maxAttempts: 100, maxDelayMs: 5_000 };
      expect(delays(policyOf({ ...capped, strategy: 'exponential', multiplier: 100 }), [2, 3, 99])).toEqual([
        5_000, 5_000, 5_000,
      ]);
      expect(delays(policyOf({ ...capped, strategy: 'linear' }), [4, 5, 6])).toEqual([4_000, 5_000, 5_000]);
    });
  });

  describe('jitter', () => {
    const settings = {
      strategy: 'fixed',
      initialDelayMs: 10_000,
      maxDelayMs: 3_600_000,
      jitter: 0.25,
    } as const;

    it('spreads a delay over [d(1 - jitter), d(1 + jitter)] by the random source', () => {
      expect(
        delays(
          policyOf(settings, () => 0),
          [1],
        ),
      ).toEqual([7_500]);
      expect(
        delays(
          policyOf(settings, () => 0.5),
          [1],
        ),
      ).toEqual([10_000]);
      expect(
        delays(
          policyOf(settings, () => 0.999999),
          [1],
        ),
      ).toEqual([12_500]);
    });

    it('stays within its bounds for any random value, and never above the cap', () => {
      for (let i = 0; i < 1_000; i += 1) {
        const r = i / 1_000;
        const [delay] = delays(
          policyOf(settings, () => r),
          [1],
        ) as number[];
        expect(delay).toBeGreaterThanOrEqual(7_500);
        expect(delay).toBeLessThanOrEqual(12_500);
        const [atCap] = delays(
          policyOf({ ...settings, maxDelayMs: 10_000 }, () => r),
          [1],
        ) as number[];
        expect(atCap).toBeGreaterThanOrEqual(7_500);
        expect(atCap).toBeLessThanOrEqual(10_000);
      }
    });
  });

  describe('per-command overrides', () => {
    const policy = policyOf({ maxAttempts: 3, strategy: 'fixed', initialDelayMs: 1_000, jitter: 0 }, MIDDLE, {
      SGDPDataCommand: { maxAttempts: 5, strategy: 'linear' },
    });

    it('apply their fields over the document policy for that command only', () => {
      expect(delays(policy, [1, 2, 3, 4, 5], 'SGDPDataCommand')).toEqual([
        1_000,
        2_000,
        3_000,
        4_000,
        'attempts-exhausted',
      ]);
      expect(delays(policy, [1, 2, 3], 'OtherCommand')).toEqual([1_000, 1_000, 'attempts-exhausted']);
    });

    it('match the exact command name, and never an inherited property', () => {
      expect(policy.settingsFor('sgdpdatacommand').maxAttempts).toBe(3);
      expect(policy.settingsFor('constructor').maxAttempts).toBe(3);
    });
  });

  describe("the cloud's Retry-After", () => {
    const policy = policyOf({ maxAttempts: 3, initialDelayMs: 1_000, jitter: 0.5, maxRetryAfterMs: 120_000 });

    it('replaces the computed delay, without jitter', () => {
      expect(policy.nextAttempt(failed(1, { retryAfterMs: 45_000 }))).toEqual({
        kind: 'retry',
        at: new Date(NOW.getTime() + 45_000),
        delayMs: 45_000,
        nextAttempt: 2,
      });
      expect(policy.nextAttempt(failed(1, { retryAfterMs: 0 }))).toMatchObject({ delayMs: 0, at: NOW });
    });

    it('is shortened to maxRetryAfterMs', () => {
      expect(policy.nextAttempt(failed(1, { retryAfterMs: 86_400_000 }))).toMatchObject({ delayMs: 120_000 });
    });

    it('does not extend the attempt budget', () => {
      expect(policy.nextAttempt(failed(3, { retryAfterMs: 1_000 }))).toEqual({
        kind: 'dead',
        reason: 'attempts-exhausted',
      });
    });

    it('is ignored when absent (null)', () => {
      expect(policy.nextAttempt(failed(1, { retryAfterMs: null }))).toMatchObject({ delayMs: 1_000 });
    });
  });

  describe('dead letters', () => {
    it('gives up at once on a fatal error, whatever the attempt', () => {
      const policy = new RetryPolicy({}, MIDDLE);
      expect(policy.nextAttempt(failed(1, { error: { kind: 'fatal', message: 'bad data' } }))).toEqual({
        kind: 'dead',
        reason: 'fatal',
      });
    });

    it('gives up when the last allowed attempt failed, and never retries with maxAttempts 1', () => {
      expect(policyOf({ maxAttempts: 1 }).nextAttempt(failed(1))).toEqual({
        kind: 'dead',
        reason: 'attempts-exhausted',
      });
      expect(policyOf({ maxAttempts: 2 }).nextAttempt(failed(7))).toEqual({
        kind: 'dead',
        reason: 'attempts-exhausted',
      });
    });
  });

  it('is a pure function: the same input and random value give the same decision', () => {
    const policy = new RetryPolicy({}, () => 0.123);
    expect(policy.nextAttempt(failed(2))).toEqual(policy.nextAttempt(failed(2)));
  });
});
