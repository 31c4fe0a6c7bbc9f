import { inspect } from 'node:util';
import { SettingsError } from '@smartlink/common';
import { SmartLinkDefaults, parseSmartLinkSettings } from './smartlink-settings';

const SECRET = 's3cr3t-value-never-shown';
const required = {
  SMARTLINK_RAC_URL: 'https://admin.rac.staging.totvs.app/',
  SMARTLINK_API_URL: 'https://link.staging.totvs.app/api/v1',
  SMARTLINK_CLIENT_ID: 'client-1',
  SMARTLINK_CLIENT_SECRET: SECRET,
};

function settingsError(env: Record<string, string | undefined>): SettingsError {
  try {
    parseSmartLinkSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('parseSmartLinkSettings', () => {
  it('applies the documented defaults and trims trailing slashes from URLs', () => {
    const settings = parseSmartLinkSettings(required);
    expect(settings).toMatchObject({
      SMARTLINK_RAC_URL: 'https://admin.rac.staging.totvs.app',
      SMARTLINK_API_URL: 'https://link.staging.totvs.app/api/v1',
      SMARTLINK_CLIENT_ID: 'client-1',
      SMARTLINK_HTTP_TIMEOUT_MS: SmartLinkDefaults.httpTimeoutMs,
      SMARTLINK_TOKEN_RENEW_MARGIN_S: 60,
      SMARTLINK_TLS_REJECT_UNAUTHORIZED: true,
      SMARTLINK_GET_BATCH_SIZE: SmartLinkDefaults.getBatchSize,
      SMARTLINK_MAX_PAYLOAD_BYTES: 1024 * 1024,
      SMARTLINK_MAX_RESPONSE_BYTES: SmartLinkDefaults.maxResponseBytes,
    });
    expect(settings.SMARTLINK_TLS_CA_FILE).toBeUndefined();
    expect(
      parseSmartLinkSettings({ ...required, SMARTLINK_TLS_CA_FILE: '' }).SMARTLINK_TLS_CA_FILE,
    ).toBeUndefined();
  });

  it('reads overrides from strings', () => {
    const settings = parseSmartLinkSettings({
      ...required,
      SMARTLINK_HTTP_TIMEOUT_MS: '1500',
      SMARTLINK_TOKEN_RENEW_MARGIN_S: '0',
      SMARTLINK_TLS_REJECT_UNAUTHORIZED: 'false',
      SMARTLINK_TLS_CA_FILE: '/etc/ssl/extra.pem',
      SMARTLINK_GET_BATCH_SIZE: '500',
      SMARTLINK_MAX_PAYLOAD_BYTES: '350000',
    });
    expect(settings).toMatchObject({
      SMARTLINK_HTTP_TIMEOUT_MS: 1500,
      SMARTLINK_TOKEN_RENEW_MARGIN_S: 0,
      SMARTLINK_TLS_REJECT_UNAUTHORIZED: false,
      SMARTLINK_TLS_CA_FILE: '/etc/ssl/extra.pem',
      SMARTLINK_GET_BATCH_SIZE: 500,
      SMARTLINK_MAX_PAYLOAD_BYTES: 350000,
    });
  });

  it('wraps the client secret so printing the settings never shows it', () => {
    const settings = parseSmartLinkSettings(required);
    expect(settings.SMARTLINK_CLIENT_SECRET.reveal()).toBe(SECRET);
    expect(JSON.stringify(settings)).not.toContain(SECRET);
    expect(inspect(settings, { depth: 5 })).not.toContain(SECRET);
    expect(`${settings.SMARTLINK_CLIENT_SECRET}`).toBe('[redacted]');
  });

  it('lists every missing or bad key with how to fix it', () => {
    const error = settingsError({ SMARTLINK_RAC_URL: 'ftp://x', SMARTLINK_GET_BATCH_SIZE: '5000' });
    expect(error.problems.map((p) => p.key).sort()).toEqual([
      'SMARTLINK_API_URL',
      'SMARTLINK_CLIENT_ID',
      'SMARTLINK_CLIENT_SECRET',
      'SMARTLINK_GET_BATCH_SIZE',
      'SMARTLINK_RAC_URL',
    ]);
    expect(error.message).toContain('https://admin.rac.totvs.app');
  });

  it('never echoes a secret put in the wrong key', () => {
    const error = settingsError({ ...required, SMARTLINK_API_URL: SECRET });
    expect(error.message).not.toContain(SECRET);
  });
});
