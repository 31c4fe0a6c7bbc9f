import {
  resolveRetrySettings,
  type EffectiveRetrySettings,
  type RetryPolicyDocument,
} from '../document/retry-policy-document';

/** A number in [0, 1), like `Math.random`; tests pass a fixed one. */
export type RandomSource = () => number;

/** How an attempt failed. */
export interface AttemptError {
  /** `failed`: may succeed later. `fatal`: will never succeed (the segment's fatal error, a cloud refusal). */
  readonly kind: 'failed' | 'fatal';
  readonly message?: string | null;
}

/** What {@link RetryPolicy.nextAttempt} decides from. */
export interface NextAttemptInput {
  /**
   * The attempt that failed, counted within the message's current budget: 1 for the first attempt, and again 1 for
   * the first attempt after a redrive.
   */
  readonly attempt: number;
  readonly error: AttemptError;
  /** The message's command, for per-command overrides. */
  readonly command: string;
  /** When the attempt was judged; the next one is due relative to it. */
  readonly now: Date;
  /** The cloud's Retry-After, for an upstream send refused with 429/503: it replaces the computed delay. */
  readonly retryAfterMs?: number | null;
}

/** Try again at `at` (attempt `nextAttempt` of the budget), or give up. */
export type RetryDecision =
  | { readonly kind: 'retry'; readonly at: Date; readonly delayMs: number; readonly nextAttempt: number }
  | { readonly kind: 'dead'; readonly reason: 'fatal' | 'attempts-exhausted' };

/**
 * The retry policy of `totvsAppConfig_v2.json`, as a pure function of the attempt, the error and the clock: the same
 * input and random source give the same decision. A fatal error is dead at once; a failure of the last allowed attempt
 * is dead (attempts exhausted); otherwise the next attempt is due after the strategy's delay for this retry (retry n
 * follows failed attempt n): `fixed` initialDelayMs, `linear` initialDelayMs × n, `exponential` initialDelayMs ×
 * multiplier^(n-1); scaled by a random factor in [1 - jitter, 1 + jitter], then capped at maxDelayMs. A cloud
 * Retry-After replaces that delay (capped at maxRetryAfterMs, no jitter: the cloud said when).
 */
export class RetryPolicy {
  private readonly base: EffectiveRetrySettings;

  constructor(
    /** The validated document this policy was built from. */
    readonly document: RetryPolicyDocument,
    private readonly random: RandomSource = Math.random,
  ) {
    this.base = resolveRetrySettings(document.retry);
  }

  /** The settings that apply to `command`: its override over the document's `retry`, over the built-in defaults. */
  settingsFor(command: string): EffectiveRetrySettings {
    const override = Object.hasOwn(this.document.commands ?? {}, command)
      ? this.document.commands?.[command]
      : undefined;
    return override ? { ...this.base, ...resolvePartial(override) } : this.base;
  }

  /** Decides what follows a failed attempt. */
  nextAttempt(input: NextAttemptInput): RetryDecision {
    if (input.error.kind === 'fatal') return { kind: 'dead', reason: 'fatal' };
    const settings = this.settingsFor(input.command);
    if (input.attempt >= settings.maxAttempts) return { kind: 'dead', reason: 'attempts-exhausted' };
    const delayMs =
      input.retryAfterMs !== undefined && input.retryAfterMs !== null
        ? Math.min(Math.max(0, input.retryAfterMs), settings.maxRetryAfterMs)
        : this.delayOf(Math.max(1, input.attempt), settings);
    return {
      kind: 'retry',
      at: new Date(input.now.getTime() + delayMs),
      delayMs,
      nextAttempt: input.attempt + 1,
    };
  }

  /** The delay of retry `n` (the one after failed attempt `n`), jittered and capped, in whole milliseconds. */
  private delayOf(n: number, s: EffectiveRetrySettings): number {
    const raw =
      s.strategy === 'fixed'
        ? s.initialDelayMs
        : s.strategy === 'linear'
          ? s.initialDelayMs * n
          : s.initialDelayMs * s.multiplier ** (n - 1);
    // The cap goes first too, so a huge exponent (Infinity) never reaches the arithmetic below.
    const capped = Math.min(raw, s.maxDelayMs);
    const factor = 1 - s.jitter + 2 * s.jitter * this.random();
    return Math.round(Math.min(capped * factor, s.maxDelayMs));
  }
}

function resolvePartial(settings: NonNullable<RetryPolicyDocument['commands']>[string]) {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}
