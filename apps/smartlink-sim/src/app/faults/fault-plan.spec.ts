import { FaultConfigSchema, type FaultConfigInput } from './fault-config';
import { FaultPlan } from './fault-plan';

function plan(config: FaultConfigInput, rolls: number[] = []): FaultPlan {
  let i = 0;
  return new FaultPlan(FaultConfigSchema.parse(config), () => rolls[i++ % Math.max(rolls.length, 1)] ?? 0);
}

describe('FaultPlan', () => {
  it('does nothing without rules', () => {
    expect(plan({}).decide('get')).toEqual({ delayMs: 0, fault: null });
  });

  it('fires a rule on its endpoints only', () => {
    const p = plan({ rules: [{ kind: 'error', status: 502, endpoints: ['ack'] }] });
    expect(p.decide('get').fault).toBeNull();
    expect(p.decide('ack').fault).toMatchObject({ kind: 'error', status: 502 });
  });

  it('fires a rule for the next N matching requests only', () => {
    const p = plan({ rules: [{ kind: 'reset', endpoints: ['get'], next: 2 }] });
    expect(p.decide('send').fault).toBeNull();
    expect(['get', 'get', 'get'].map((e) => p.decide(e as 'get').fault?.kind ?? null)).toEqual([
      'reset',
      'reset',
      null,
    ]);
    expect(p.snapshot().rules[0]).toMatchObject({ remaining: 0, fired: 2 });
  });

  it('fires by probability against the random source', () => {
    const p = plan({ rules: [{ kind: 'throttle', probability: 0.25 }] }, [0.1, 0.3, 0.24, 0.25]);
    expect([1, 2, 3, 4].map(() => p.decide('get').fault?.kind ?? null)).toEqual([
      'throttle',
      null,
      'throttle',
      null,
    ]);
  });

  it('counts down next only when the probability roll fires', () => {
    const p = plan({ rules: [{ kind: 'reset', probability: 0.5, next: 1 }] }, [0.9, 0.1, 0.1]);
    expect([1, 2, 3].map(() => p.decide('get').fault?.kind ?? null)).toEqual([null, 'reset', null]);
  });

  it('adds up latency rules with jitter and lets the first terminal rule answer', () => {
    const p = plan(
      {
        rules: [
          { kind: 'latency', latencyMs: 100, jitterMs: 50 },
          { kind: 'throttle', retryAfter: 5 },
          { kind: 'error' },
          { kind: 'latency', latencyMs: 10 },
        ],
      },
      [0.5],
    );
    const decision = p.decide('get');
    expect(decision.delayMs).toBe(100 + 25 + 10);
    expect(decision.fault).toMatchObject({ kind: 'throttle', retryAfter: '5' });
    expect(p.snapshot().rules.map((r) => r.fired)).toEqual([1, 1, 0, 1]);
  });

  it('replaces rules and counters at once, with the token TTL override', () => {
    const p = plan({ rules: [{ kind: 'reset', next: 1 }] });
    p.decide('get');
    p.replace(FaultConfigSchema.parse({ rules: [{ kind: 'reset', next: 1 }], tokenTtlS: 2 }));
    expect(p.decide('get').fault?.kind).toBe('reset');
    expect(p.tokenTtlS).toBe(2);
  });

  it('applies documented defaults to rule options', () => {
    const config = FaultConfigSchema.parse({
      rules: [{ kind: 'error' }, { kind: 'throttle' }, { kind: 'timeout' }, { kind: 'malformed' }],
    });
    expect(config.rules).toEqual([
      { kind: 'error', status: 503 },
      { kind: 'throttle', retryAfter: '1' },
      { kind: 'timeout', holdMs: 120_000 },
      { kind: 'malformed', variant: 'invalid-json' },
    ]);
    expect(config.tokenTtlS).toBeNull();
  });

  it('rejects rules it cannot apply', () => {
    expect(FaultConfigSchema.safeParse({ rules: [{ kind: 'explode' }] }).success).toBe(false);
    expect(FaultConfigSchema.safeParse({ rules: [{ kind: 'error', status: 200 }] }).success).toBe(false);
    expect(FaultConfigSchema.safeParse({ rules: [{ kind: 'reset', probability: 2 }] }).success).toBe(false);
    expect(FaultConfigSchema.safeParse({ rules: [{ kind: 'reset', endpoints: ['admin'] }] }).success).toBe(
      false,
    );
  });
});
