// The document: totvsAppConfig_v2.json
export {
  RetryPolicyDocumentSchema,
  RetrySettingsSchema,
  RetryStrategySchema,
  parseRetryPolicyDocument,
  resolveRetrySettings,
  type RetryPolicyDocument,
  type RetrySettings,
  type RetryStrategy,
  type EffectiveRetrySettings,
} from './lib/document/retry-policy-document';

// The policy: a pure function of attempt, error and clock
export {
  RetryPolicy,
  type AttemptError,
  type NextAttemptInput,
  type RetryDecision,
  type RandomSource,
} from './lib/policy/retry-policy';
export {
  RETRY_POLICY_DEFAULTS,
  RETRY_POLICY_LIMITS,
  RETRY_POLICY_LOADER_DEFAULTS,
} from './lib/policy/retry-policy.defaults';

// Loading: URL (ETag, refresh, last good), else file, else defaults
export {
  RetryPolicyLoader,
  type RetryPolicyLoaderOptions,
  type RetryPolicyOrigin,
  type PolicyLogger,
} from './lib/loader/retry-policy-loader';
export {
  describeUrl,
  type PolicyDocumentFetcher,
  type PolicyFetchResult,
} from './lib/loader/policy-document-fetcher';
export { HttpPolicyDocumentFetcher } from './lib/loader/http-policy-document-fetcher';

// Settings and errors
export { parseRetryPolicySettings, type RetryPolicySettings } from './lib/settings/retry-policy-settings';
export { InvalidRetryPolicyError } from './lib/errors/invalid-retry-policy-error';
export { RetryPolicyUnavailableError } from './lib/errors/retry-policy-unavailable-error';
