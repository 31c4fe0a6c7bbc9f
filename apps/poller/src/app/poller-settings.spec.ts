import { SettingsError } from '@smartlink/common';
import { DEFAULT_POLLER_HTTP_PORT, loadPollerSettings } from './poller-settings';

describe('loadPollerSettings', () => {
  const minimal = {
    SMARTLINK_RAC_URL: 'https://admin.rac.totvs.app',
    SMARTLINK_API_URL: 'https://link.totvs.app/api/v1',
    SMARTLINK_CLIENT_ID: 'client',
    SMARTLINK_CLIENT_SECRET: 'not-a-real-secret',
    SMARTLINK_SUBSCRIPTIONS: 'HrEmployeeUpdated, FinTitlePaid',
  };

  function problemKeys(env: Record<string, string>): string[] {
    try {
      loadPollerSettings(env);
    } catch (error) {
      if (error instanceof SettingsError) return error.problems.map((p) => p.key).sort();
      throw error;
    }
    throw new Error('expected the settings to be refused');
  }

  it('boots on the defaults: SQLite, the local broker, its own health port, once a minute like RM', () => {
    const settings = loadPollerSettings(minimal);
    expect(settings.http.port).toBe(DEFAULT_POLLER_HTTP_PORT);
    expect(settings.database.type).toBe('sqlite');
    expect(settings.kafka.brokers).toEqual(['localhost:19092']);
    expect(settings.poll).toEqual({
      subscriptions: ['HrEmployeeUpdated', 'FinTitlePaid'],
      intervalMs: 60_000,
      continuous: false,
      idleDelayMs: 500,
      batchSize: 100,
      backlogHighWater: 10_000,
      leaseSessionTimeoutMs: 10_000,
    });
  });

  it('takes the poll settings from the environment, the batch size from the get batch size by default', () => {
    const settings = loadPollerSettings({
      ...minimal,
      SMARTLINK_SUBSCRIPTIONS: 'A,B,A',
      POLL_CONTINUOUS: 'true',
      POLL_IDLE_DELAY_MS: '50',
      SMARTLINK_GET_BATCH_SIZE: '250',
      BACKLOG_HIGH_WATER: '5',
      LEASE_SESSION_TIMEOUT_MS: '6000',
    });
    expect(settings.poll).toMatchObject({
      subscriptions: ['A', 'B'],
      continuous: true,
      idleDelayMs: 50,
      batchSize: 250,
      backlogHighWater: 5,
      leaseSessionTimeoutMs: 6_000,
    });
    expect(loadPollerSettings({ ...minimal, POLL_BATCH_SIZE: '7' }).poll.batchSize).toBe(7);
  });

  it('requires the subscriptions, each a legal command name', () => {
    const { SMARTLINK_SUBSCRIPTIONS: _omitted, ...withoutSubscriptions } = minimal;
    expect(problemKeys(withoutSubscriptions)).toEqual(['SMARTLINK_SUBSCRIPTIONS']);
    expect(problemKeys({ ...minimal, SMARTLINK_SUBSCRIPTIONS: ' , ' })).toEqual(['SMARTLINK_SUBSCRIPTIONS']);
    expect(() => loadPollerSettings({ ...minimal, SMARTLINK_SUBSCRIPTIONS: 'Good,bad/name' })).toThrow(
      /SMARTLINK_SUBSCRIPTIONS: Illegal command name: "bad\/name"/,
    );
  });

  it('stops start-up listing every bad value at once, never echoing the secret', () => {
    const env = {
      ...minimal,
      DB_TYPE: 'oracle',
      KAFKA_BROKERS: 'no-port',
      POLL_INTERVAL_MS: '10',
      LEASE_SESSION_TIMEOUT_MS: '1000',
      SMARTLINK_API_URL: 'ftp://x',
    };
    expect(problemKeys(env)).toEqual([
      'DB_TYPE',
      'KAFKA_BROKERS',
      'LEASE_SESSION_TIMEOUT_MS',
      'POLL_INTERVAL_MS',
      'SMARTLINK_API_URL',
    ]);
    expect(() => loadPollerSettings(env)).toThrow(SettingsError);
    expect(() => loadPollerSettings(env)).not.toThrow(/not-a-real-secret/);
  });
});
