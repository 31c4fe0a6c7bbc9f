/**
 * Every number of the retry policy, in one place: the built-in policy used when neither `RETRY_POLICY_URL` nor
 * `RETRY_POLICY_FILE` gives one (and the value of any field a document leaves out), the bounds a document is validated
 * against, and the loader's timings.
 */
export const RETRY_POLICY_DEFAULTS = {
  /** Attempts in all, the first included: after the 5th failure the message is dead-lettered. */
  maxAttempts: 5,
  /** Each retry waits `multiplier` times longer than the one before. */
  strategy: 'exponential',
  /** Wait before the first retry: long enough for a segment's database or a cloud hiccup to pass. */
  initialDelayMs: 30_000,
  /** Exponential growth factor: 30 s, 60 s, 2 min, 4 min with the defaults. */
  multiplier: 2,
  /** No retry waits longer than this (before jitter brings it down by up to `jitter`). */
  maxDelayMs: 3_600_000,
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter], so failures of a burst retry spread out. */
  jitter: 0.2,
  /** A cloud `Retry-After` longer than this is shortened to it, so a bogus header cannot park a message for months. */
  maxRetryAfterMs: 86_400_000,
} as const;

/** Bounds a document is checked against; beyond them a value is a typo, not a policy. */
export const RETRY_POLICY_LIMITS = {
  maxAttempts: 100,
  /** 30 days, for every duration. */
  maxDurationMs: 30 * 86_400_000,
  maxMultiplier: 100,
  /** A document bigger than this is refused unread: the policy is a few hundred bytes. */
  maxDocumentBytes: 1_048_576,
} as const;

/** Timings of the loader; `RETRY_POLICY_REFRESH_MS` and `RETRY_POLICY_FETCH_TIMEOUT_MS` override them. */
export const RETRY_POLICY_LOADER_DEFAULTS = {
  /** How often the URL (or the file) is read again; a change takes effect within this time. */
  refreshMs: 300_000,
  /** One request to the URL, connection to last byte. */
  fetchTimeoutMs: 10_000,
} as const;
