import { SettingsError } from '@smartlink/common';
import { DEFAULT_EXECUTOR_HTTP_PORT, loadExecutorSettings } from './executor-settings';

describe('loadExecutorSettings', () => {
  const minimal = {
    SMARTLINK_RAC_URL: 'https://admin.rac.totvs.app',
    SMARTLINK_API_URL: 'https://link.totvs.app/api/v1',
    SMARTLINK_CLIENT_ID: 'client',
    SMARTLINK_CLIENT_SECRET: 'not-a-real-secret',
  };

  it('boots on the defaults: SQLite, the local broker, its own health port', () => {
    const settings = loadExecutorSettings(minimal);
    expect(settings.http.port).toBe(DEFAULT_EXECUTOR_HTTP_PORT);
    expect(settings.database.type).toBe('sqlite');
    expect(settings.kafka.brokers).toEqual(['localhost:19092']);
  });

  it('stops start-up on a bad value, saying which setting', () => {
    expect(() => loadExecutorSettings({ ...minimal, DB_TYPE: 'oracle' })).toThrow(SettingsError);
    expect(() => loadExecutorSettings({ ...minimal, KAFKA_BROKERS: 'no-port' })).toThrow(/KAFKA_BROKERS/);
  });
});
