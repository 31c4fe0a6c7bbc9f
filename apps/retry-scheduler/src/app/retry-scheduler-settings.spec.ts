import { SettingsError } from '@smartlink/common';
import {
  DEFAULT_RETRY_SCHEDULER_HTTP_PORT,
  RETRY_SCHEDULER_DEFAULTS,
  loadRedriveCliSettings,
  loadRetrySchedulerSettings,
} from './retry-scheduler-settings';

/** The one setting without a default. */
const TOKEN = { REDRIVE_HTTP_TOKEN: 'a-long-enough-operator-token' };

describe('loadRetrySchedulerSettings', () => {
  it('boots on the defaults and a redrive token: SQLite, the local broker, its own port, the built-in policy', () => {
    const settings = loadRetrySchedulerSettings(TOKEN);
    expect(settings.http.port).toBe(DEFAULT_RETRY_SCHEDULER_HTTP_PORT);
    expect(settings.database.type).toBe('sqlite');
    expect(settings.kafka.brokers).toEqual(['localhost:19092']);
    expect(settings.policy).not.toHaveProperty('url');
    expect(settings.loops).toEqual({
      pollIntervalMs: RETRY_SCHEDULER_DEFAULTS.pollIntervalMs,
      claimBatchSize: RETRY_SCHEDULER_DEFAULTS.claimBatchSize,
      dispatchTimeoutMs: RETRY_SCHEDULER_DEFAULTS.dispatchTimeoutMs,
      sweepIntervalMs: RETRY_SCHEDULER_DEFAULTS.sweepIntervalMs,
      unplannedGraceMs: RETRY_SCHEDULER_DEFAULTS.unplannedGraceMs,
    });
    expect(settings.redrive).toMatchObject({
      ratePerSecond: RETRY_SCHEDULER_DEFAULTS.redriveRatePerSecond,
      maxPerRequest: RETRY_SCHEDULER_DEFAULTS.redriveMaxPerRequest,
    });
  });

  it.each([
    ['unset', {}],
    ['empty', { REDRIVE_HTTP_TOKEN: '' }],
  ])('refuses to start with the redrive token %s, so POST /redrive is never open', (_label, env) => {
    expect(() => loadRetrySchedulerSettings(env)).toThrow(/REDRIVE_HTTP_TOKEN: required, but not set/);
  });

  it('refuses a token of blanks', () => {
    expect(() => loadRetrySchedulerSettings({ REDRIVE_HTTP_TOKEN: '                    ' })).toThrow(
      /REDRIVE_HTTP_TOKEN/,
    );
  });

  it('reads the loop, policy and redrive settings', () => {
    const settings = loadRetrySchedulerSettings({
      RETRY_POLL_INTERVAL_MS: '100',
      DISPATCH_TIMEOUT_MS: '60000',
      RETRY_POLICY_FILE: '/etc/smartlink/totvsAppConfig_v2.json',
      REDRIVE_RATE_PER_SECOND: '20',
      ...TOKEN,
    });
    expect(settings.loops).toMatchObject({ pollIntervalMs: 100, dispatchTimeoutMs: 60_000 });
    expect(settings.policy.file).toBe('/etc/smartlink/totvsAppConfig_v2.json');
    expect(settings.redrive.ratePerSecond).toBe(20);
    expect(settings.redrive.httpToken.reveal()).toBe('a-long-enough-operator-token');
    expect(JSON.stringify(settings.redrive)).not.toContain('operator-token');
  });

  it('stops start-up on a bad value, saying which setting, never echoing a token', () => {
    expect(() => loadRetrySchedulerSettings({ ...TOKEN, DB_TYPE: 'oracle' })).toThrow(SettingsError);
    expect(() => loadRetrySchedulerSettings({ ...TOKEN, KAFKA_BROKERS: 'no-port' })).toThrow(/KAFKA_BROKERS/);
    expect(() => loadRetrySchedulerSettings({ ...TOKEN, RETRY_POLL_INTERVAL_MS: '0' })).toThrow(
      /RETRY_POLL_INTERVAL_MS/,
    );
    expect(() => loadRetrySchedulerSettings({ ...TOKEN, RETRY_POLICY_URL: 'file:///etc/x' })).toThrow(
      /RETRY_POLICY_URL/,
    );
    const short = () => loadRetrySchedulerSettings({ REDRIVE_HTTP_TOKEN: 'shorty' });
    expect(short).toThrow(/REDRIVE_HTTP_TOKEN/);
    expect(short).not.toThrow(/shorty/);
  });
});

describe('loadRedriveCliSettings', () => {
  it('needs no redrive token: the CLI serves no HTTP', () => {
    const settings = loadRedriveCliSettings({ REDRIVE_RATE_PER_SECOND: '20' });
    expect(settings.redrive).toEqual({
      ratePerSecond: 20,
      maxPerRequest: RETRY_SCHEDULER_DEFAULTS.redriveMaxPerRequest,
    });
    expect(settings.database.type).toBe('sqlite');
  });

  it('stops on a bad value, saying which setting', () => {
    expect(() => loadRedriveCliSettings({ REDRIVE_MAX_PER_REQUEST: '0' })).toThrow(/REDRIVE_MAX_PER_REQUEST/);
  });
});
