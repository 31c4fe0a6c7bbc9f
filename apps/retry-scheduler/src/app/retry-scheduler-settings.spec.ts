import { SettingsError } from '@smartlink/common';
import { DEFAULT_RETRY_SCHEDULER_HTTP_PORT, loadRetrySchedulerSettings } from './retry-scheduler-settings';

describe('loadRetrySchedulerSettings', () => {
  const minimal = {};

  it('boots on the defaults: SQLite, the local broker, its own health port', () => {
    const settings = loadRetrySchedulerSettings(minimal);
    expect(settings.http.port).toBe(DEFAULT_RETRY_SCHEDULER_HTTP_PORT);
    expect(settings.database.type).toBe('sqlite');
    expect(settings.kafka.brokers).toEqual(['localhost:19092']);
  });

  it('stops start-up on a bad value, saying which setting', () => {
    expect(() => loadRetrySchedulerSettings({ ...minimal, DB_TYPE: 'oracle' })).toThrow(SettingsError);
    expect(() => loadRetrySchedulerSettings({ ...minimal, KAFKA_BROKERS: 'no-port' })).toThrow(
      /KAFKA_BROKERS/,
    );
  });
});
