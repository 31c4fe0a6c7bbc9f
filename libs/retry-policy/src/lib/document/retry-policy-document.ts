import { MessageLimits } from '@smartlink/common';
import { z } from 'zod';
import { InvalidRetryPolicyError } from '../errors/invalid-retry-policy-error';
import { RETRY_POLICY_DEFAULTS, RETRY_POLICY_LIMITS } from '../policy/retry-policy.defaults';

/** How the delay grows from one retry to the next. */
export const RetryStrategySchema = z.enum(['fixed', 'linear', 'exponential']);
export type RetryStrategy = z.infer<typeof RetryStrategySchema>;

const duration = (what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(RETRY_POLICY_LIMITS.maxDurationMs)
    .describe(`${what}, whole milliseconds, 0 to ${RETRY_POLICY_LIMITS.maxDurationMs} (30 days)`);

/**
 * The retry settings, all optional in a document (a missing field takes the built-in default, or for a command the
 * document's own `retry` value). Strict: an unknown key is a typo (`maxAtempts`) and refuses the document rather
 * than silently running on a default.
 */
export const RetrySettingsSchema = z.strictObject({
  /** Attempts in all, the first included; 1 means never retry. */
  maxAttempts: z.number().int().min(1).max(RETRY_POLICY_LIMITS.maxAttempts).optional(),
  strategy: RetryStrategySchema.optional(),
  /** Delay before the first retry; with `linear`, also what each later retry adds. */
  initialDelayMs: duration('the delay before the first retry').optional(),
  /** `exponential` only: each delay is the previous one times this. */
  multiplier: z.number().min(1).max(RETRY_POLICY_LIMITS.maxMultiplier).optional(),
  /** The cap: no computed delay is longer. */
  maxDelayMs: duration('the longest delay').optional(),
  /** Random spread, 0 (none) to 1: a delay d becomes a value in [d(1 - jitter), d(1 + jitter)], then the cap. */
  jitter: z.number().min(0).max(1).optional(),
  /** A cloud Retry-After (upstream sends) longer than this is shortened to it. */
  maxRetryAfterMs: duration('the longest Retry-After honoured').optional(),
});
export type RetrySettings = z.infer<typeof RetrySettingsSchema>;

/** Every retry setting, resolved for one command. */
export type EffectiveRetrySettings = Required<RetrySettings>;

const COMMAND_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `totvsAppConfig_v2.json` as this client reads it. RM's own keys and formula are not public (design.md §5); this
 * schema is ours, documented in docs/retry-policy.md. Loose at the top level: the file is an app configuration that
 * may carry other sections, which are ignored. `retry` holds the policy of every command; `commands` overrides any of
 * its fields for one command (by its exact name).
 */
export const RetryPolicyDocumentSchema = z
  .looseObject({
    retry: RetrySettingsSchema.optional(),
    commands: z
      .record(
        z
          .string()
          .max(MessageLimits.COMMAND)
          .regex(COMMAND_KEY, 'a command name: letters, digits, dot, underscore, hyphen'),
        RetrySettingsSchema,
      )
      .optional(),
  })
  .superRefine((document, ctx) => {
    // The cap must hold the first delay, for the document's own policy and for every command's merged one.
    const check = (settings: EffectiveRetrySettings, path: (string | number)[]) => {
      if (settings.maxDelayMs < settings.initialDelayMs) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'maxDelayMs'],
          message: `maxDelayMs (${settings.maxDelayMs}) is below initialDelayMs (${settings.initialDelayMs})`,
        });
      }
    };
    const base = resolveRetrySettings(document.retry);
    check(base, ['retry']);
    for (const [command, override] of Object.entries(document.commands ?? {})) {
      check({ ...base, ...override }, ['commands', command]);
    }
  });
export type RetryPolicyDocument = z.infer<typeof RetryPolicyDocumentSchema>;

/** The built-in defaults with the given settings over them. */
export function resolveRetrySettings(settings: RetrySettings | undefined): EffectiveRetrySettings {
  return { ...RETRY_POLICY_DEFAULTS, ...stripUndefined(settings ?? {}) };
}

/**
 * Reads a document's text: JSON, then the schema. Throws {@link InvalidRetryPolicyError} naming the first bad field;
 * `origin` (a file path or a URL without its query) goes into the message.
 */
export function parseRetryPolicyDocument(text: string, origin: string): RetryPolicyDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidRetryPolicyError(origin, 'it is not JSON');
  }
  const parsed = RetryPolicyDocumentSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(document)';
  throw new InvalidRetryPolicyError(origin, `${field}: ${issue?.message ?? 'invalid'}`);
}

function stripUndefined(settings: RetrySettings): RetrySettings {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as RetrySettings;
}
