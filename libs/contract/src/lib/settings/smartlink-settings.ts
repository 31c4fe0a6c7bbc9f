import { booleanSetting, numberSetting, parseSettings, type SettingsSource } from '@smartlink/common';
import { z } from 'zod';
import { MAX_GET_BATCH } from '../wire/get-response';
import { SecretValue } from '@smartlink/common';

/** Defaults of the Smart Link client, in one place. */
export const SmartLinkDefaults = {
  /** Whole-call bound: connect, headers and body of one request. */
  httpTimeoutMs: 30_000,
  /** Renew the token this long before it expires (smartlink-domain.md §6 suggests 60 s, [I]). */
  tokenRenewMarginS: 60,
  /** Messages asked for per get. */
  getBatchSize: 100,
  /** 1 MiB: several times the 250-350 KB the cloud recommends per message ([C S9]). */
  maxPayloadBytes: 1024 * 1024,
  /** Bound on any response body; generous so one oversize message is refused alone, not its whole batch. */
  maxResponseBytes: 64 * 1024 * 1024,
} as const;

const httpUrl = (example: string) =>
  z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .describe(`an http(s) URL, e.g. ${example}`);

/**
 * Settings of the Smart Link client. Parse them once at boot with {@link parseSmartLinkSettings}; the lib
 * never reads `process.env` itself.
 */
export const SmartLinkSettingsSchema = z.object({
  SMARTLINK_RAC_URL: httpUrl(
    'https://admin.rac.totvs.app (staging: https://admin.rac.staging.totvs.app); the token path is appended',
  ),
  SMARTLINK_API_URL: httpUrl(
    'https://link.totvs.app/api/v1 (staging: https://link.staging.totvs.app/api/v1)',
  ),
  SMARTLINK_CLIENT_ID: z
    .string()
    .trim()
    .min(1)
    .describe('the clientId TOTVS provisioning e-mailed for the tenant'),
  SMARTLINK_CLIENT_SECRET: z
    .string()
    .min(1)
    .transform((secret) => new SecretValue(secret))
    .describe('the clientSecret TOTVS provisioning e-mailed for the tenant'),
  SMARTLINK_HTTP_TIMEOUT_MS: numberSetting({
    min: 100,
    max: 600_000,
    default: SmartLinkDefaults.httpTimeoutMs,
  }).describe('milliseconds, 100-600000'),
  SMARTLINK_TOKEN_RENEW_MARGIN_S: numberSetting({
    min: 0,
    max: 3600,
    default: SmartLinkDefaults.tokenRenewMarginS,
  }).describe('seconds before expiry to renew the token, 0-3600'),
  SMARTLINK_TLS_REJECT_UNAUTHORIZED: booleanSetting(true).describe(
    'true (default) or false; false disables certificate checks and is for test rigs only',
  ),
  SMARTLINK_TLS_CA_FILE: z
    .preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).optional())
    .describe('path of a PEM file with extra trusted CA certificates'),
  SMARTLINK_GET_BATCH_SIZE: numberSetting({
    min: 1,
    max: MAX_GET_BATCH,
    default: SmartLinkDefaults.getBatchSize,
  }).describe(`messages per get, 1-${MAX_GET_BATCH}`),
  SMARTLINK_MAX_PAYLOAD_BYTES: numberSetting({
    min: 1024,
    max: 64 * 1024 * 1024,
    default: SmartLinkDefaults.maxPayloadBytes,
  }).describe('bytes per message, 1024-67108864'),
  SMARTLINK_MAX_RESPONSE_BYTES: numberSetting({
    min: 64 * 1024,
    max: 256 * 1024 * 1024,
    default: SmartLinkDefaults.maxResponseBytes,
  }).describe('bytes per response body, 65536-268435456'),
});

/** Validated Smart Link client settings. The client secret is a {@link SecretValue}. */
export type SmartLinkSettings = z.infer<typeof SmartLinkSettingsSchema>;

/**
 * Validates the Smart Link settings from an env-like object (apps pass `process.env`). Throws a
 * `SettingsError` listing every bad key and how to fix it, never echoing a value.
 */
export function parseSmartLinkSettings(env: SettingsSource): SmartLinkSettings {
  return parseSettings('Smart Link', SmartLinkSettingsSchema, env);
}
