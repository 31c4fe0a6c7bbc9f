import { z } from 'zod';

/** Endpoints a fault can be scoped to; the admin API is never faulted. */
export const FaultEndpointSchema = z.enum(['token', 'setup', 'get', 'ack', 'send']);
export type FaultEndpoint = z.infer<typeof FaultEndpointSchema>;

/** `Retry-After` as delay-seconds or an HTTP date, sent as given. */
const RetryAfterSchema = z.union([z.int().min(0), z.string().min(1).max(64)]).transform(String);

/**
 * When a rule fires: on `endpoints` (all when absent), with `probability` (always when absent), for at most
 * `next` requests (unbounded when absent). A rule whose `next` is used up stays listed with `remaining: 0`.
 */
const ruleBase = {
  endpoints: z.array(FaultEndpointSchema).min(1).optional(),
  probability: z.number().min(0).max(1).optional(),
  next: z.int().min(1).optional(),
};

export const FaultRuleSchema = z.discriminatedUnion('kind', [
  /** Adds `latencyMs` plus up to `jitterMs` before the request is handled; adds up with other faults. */
  z.object({
    kind: z.literal('latency'),
    ...ruleBase,
    latencyMs: z.int().min(0).max(600_000),
    jitterMs: z.int().min(0).max(600_000).default(0),
  }),
  /** Answers with `status` (default 503) and an optional `Retry-After`. */
  z.object({
    kind: z.literal('error'),
    ...ruleBase,
    status: z.int().min(400).max(599).default(503),
    retryAfter: RetryAfterSchema.optional(),
  }),
  /** Answers 429 with `Retry-After` (default 1 s). */
  z.object({ kind: z.literal('throttle'), ...ruleBase, retryAfter: RetryAfterSchema.default('1') }),
  /** Holds the request open for `holdMs` (past the client's timeout), then answers 504 if anyone still listens. */
  z.object({ kind: z.literal('timeout'), ...ruleBase, holdMs: z.int().min(1).max(600_000).default(120_000) }),
  /** Destroys the connection without an answer. */
  z.object({ kind: z.literal('reset'), ...ruleBase }),
  /** Answers 200 with a body that is not JSON, or JSON of the wrong shape for the endpoint. */
  z.object({
    kind: z.literal('malformed'),
    ...ruleBase,
    variant: z.enum(['invalid-json', 'wrong-shape']).default('invalid-json'),
  }),
]);
export type FaultRule = z.infer<typeof FaultRuleSchema>;
export type FaultKind = FaultRule['kind'];

/** The whole fault configuration, replaced at once by `PUT /admin/faults` or set at boot by SIM_FAULTS. */
export const FaultConfigSchema = z.object({
  rules: z.array(FaultRuleSchema).max(100).default([]),
  /** Lifetime of tokens issued from now on, overriding SIM_TOKEN_TTL_S; null for the setting. */
  tokenTtlS: z.int().min(1).max(86_400).nullable().default(null),
});
export type FaultConfig = z.infer<typeof FaultConfigSchema>;
export type FaultConfigInput = z.input<typeof FaultConfigSchema>;

export const NO_FAULTS: FaultConfig = { rules: [], tokenTtlS: null };
