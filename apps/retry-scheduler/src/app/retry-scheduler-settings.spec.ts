import { SettingsError } from '@smartlink/common';
import {
  DEFAULT_RETRY_SCHEDULER_HTTP_PORT,
  RETRY_SCHEDULER_DEFAULTS,
  loadRetrySchedulerSettings,
} from './retry-scheduler-settings';

describe('loadRetrySchedulerSettings', () => {
  it('boots on the defaults: SQLite, the local broker, its own port, the built-in policy', () => {
    const settings = loadRetrySchedulerSettings({});
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
    expect(settings.redrive).toEqual({
      ratePerSecond: RETRY_SCHEDULER_DEFAULTS.redriveRatePerSecond,
      maxPerRequest: RETRY_SCHEDULER_DEFAULTS.redriveMaxPerRequest,
    });
  });

  it('reads the loop, policy and redrive settings', () => {
    const settings = loadRetrySchedulerSettings({
      RETRY_POLL_INTERVAL_MS: '100',
      DISPATCH_TIMEOUT_MS: '60000',
      RETRY_POLICY_FILE: '/etc/smartlink/totvsAppConfig_v2.json',
      REDRIVE_RATE_PER_SECOND: '20',
      REDRIVE_HTTP_TOKEN: 'a-long-enough-operator-token',
    });
    expect(settings.loops).toMatchObject({ pollIntervalMs: 100, dispatchTimeoutMs: 60_000 });
    expect(settings.policy.file).toBe('/etc/smartlink/totvsAppConfig_v2.json');
    expect(settings.redrive.ratePerSecond).toBe(20);
    expect(settings.redrive.httpToken?.reveal()).toBe('a-long-enough-operator-token');
    expect(JSON.stringify(settings.redrive)).not.toContain('operator-token');
  });

  it('stops start-up on a bad value, saying which setting, never echoing a token', () => {
    expect(() => loadRetrySchedulerSettings({ DB_TYPE: 'oracle' })).toThrow(SettingsError);
    expect(() => loadRetrySchedulerSettings({ KAFKA_BROKERS: 'no-port' })).toThrow(/KAFKA_BROKERS/);
    expect(() => loadRetrySchedulerSettings({ RETRY_POLL_INTERVAL_MS: '0' })).toThrow(
      /RETRY_POLL_INTERVAL_MS/,
    );
    expect(() => loadRetrySchedulerSettings({ RETRY_POLICY_URL: 'file:///etc/x' })).toThrow(
      /RETRY_POLICY_URL/,
    );
    const short = () => loadRetrySchedulerSettings({ REDRIVE_HTTP_TOKEN: 'shorty' });
    expect(short).toThrow(/REDRIVE_HTTP_TOKEN/);
    expect(short).not.toThrow(/shorty/);
  });
});
