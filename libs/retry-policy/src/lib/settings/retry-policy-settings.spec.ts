import { SettingsError } from '@smartlink/common';
import { RETRY_POLICY_LOADER_DEFAULTS } from '../policy/retry-policy.defaults';
import { parseRetryPolicySettings } from './retry-policy-settings';

describe('parseRetryPolicySettings', () => {
  it('has no source and the default timings when nothing is set', () => {
    expect(parseRetryPolicySettings({})).toEqual({
      refreshMs: RETRY_POLICY_LOADER_DEFAULTS.refreshMs,
      fetchTimeoutMs: RETRY_POLICY_LOADER_DEFAULTS.fetchTimeoutMs,
    });
    expect(parseRetryPolicySettings({ RETRY_POLICY_URL: '', RETRY_POLICY_FILE: ' ' })).not.toHaveProperty(
      'url',
    );
  });

  it('reads the URL, the file and the timings', () => {
    expect(
      parseRetryPolicySettings({
        RETRY_POLICY_URL: 'https://storage.example.com/totvsAppConfig_v2.json',
        RETRY_POLICY_FILE: '/etc/smartlink/totvsAppConfig_v2.json',
        RETRY_POLICY_REFRESH_MS: '60000',
        RETRY_POLICY_FETCH_TIMEOUT_MS: '2500',
      }),
    ).toEqual({
      url: 'https://storage.example.com/totvsAppConfig_v2.json',
      file: '/etc/smartlink/totvsAppConfig_v2.json',
      refreshMs: 60_000,
      fetchTimeoutMs: 2_500,
    });
  });

  it('stops start-up on a URL that is not http(s), without echoing it', () => {
    const read = () => parseRetryPolicySettings({ RETRY_POLICY_URL: 'ftp://user:pw@host/cfg.json' });
    expect(read).toThrow(SettingsError);
    expect(read).toThrow(/RETRY_POLICY_URL/);
    expect(read).not.toThrow(/pw@host/);
  });

  it('stops start-up on a refresh interval out of bounds', () => {
    expect(() => parseRetryPolicySettings({ RETRY_POLICY_REFRESH_MS: '10' })).toThrow(
      /RETRY_POLICY_REFRESH_MS/,
    );
  });
});
