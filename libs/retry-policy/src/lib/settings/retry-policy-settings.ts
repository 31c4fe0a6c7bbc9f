import { numberSetting, parseSettings, type SettingsSource } from '@smartlink/common';
import { z } from 'zod';
import { RETRY_POLICY_LOADER_DEFAULTS } from '../policy/retry-policy.defaults';

/** Where the retry policy comes from and how often it is read again, validated once at boot. */
export interface RetryPolicySettings {
  /** `RETRY_POLICY_URL`: `totvsAppConfig_v2.json` over HTTP(S), read first. */
  readonly url?: string;
  /** `RETRY_POLICY_FILE`: a local copy, used when there is no URL or it does not answer at start-up. */
  readonly file?: string;
  readonly refreshMs: number;
  readonly fetchTimeoutMs: number;
}

const unset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const schema = z.object({
  RETRY_POLICY_URL: z
    .preprocess(unset, z.url({ protocol: /^https?$/, error: 'not an http(s) URL' }).optional())
    .describe('an http:// or https:// URL of totvsAppConfig_v2.json, e.g. a signed Cloud Storage URL'),
  RETRY_POLICY_FILE: z
    .preprocess(unset, z.string().trim().min(1).optional())
    .describe('the path of a local totvsAppConfig_v2.json'),
  RETRY_POLICY_REFRESH_MS: numberSetting({
    min: 1_000,
    max: 86_400_000,
    default: RETRY_POLICY_LOADER_DEFAULTS.refreshMs,
  }).describe('how often the policy is read again, 1000-86400000 ms'),
  RETRY_POLICY_FETCH_TIMEOUT_MS: numberSetting({
    min: 100,
    max: 120_000,
    default: RETRY_POLICY_LOADER_DEFAULTS.fetchTimeoutMs,
  }).describe('the time one request to RETRY_POLICY_URL may take, 100-120000 ms'),
});

/** Reads the `RETRY_POLICY_*` settings; a bad value throws a SettingsError that says how to fix it (never echoing it). */
export function parseRetryPolicySettings(env: SettingsSource): RetryPolicySettings {
  const parsed = parseSettings('retry policy', schema, env);
  return {
    ...(parsed.RETRY_POLICY_URL === undefined ? {} : { url: parsed.RETRY_POLICY_URL }),
    ...(parsed.RETRY_POLICY_FILE === undefined ? {} : { file: parsed.RETRY_POLICY_FILE }),
    refreshMs: parsed.RETRY_POLICY_REFRESH_MS,
    fetchTimeoutMs: parsed.RETRY_POLICY_FETCH_TIMEOUT_MS,
  };
}
