import { SettingsError } from '@smartlink/common';
import { DEFAULT_LOG_WRITER_HTTP_PORT, loadLogWriterSettings } from './log-writer-settings';

describe('loadLogWriterSettings', () => {
  const minimal = {};

  it('boots on the defaults: SQLite, the local broker, its own health port', () => {
    const settings = loadLogWriterSettings(minimal);
    expect(settings.http.port).toBe(DEFAULT_LOG_WRITER_HTTP_PORT);
    expect(settings.database.type).toBe('sqlite');
    expect(settings.kafka.brokers).toEqual(['localhost:19092']);
  });

  it('stops start-up on a bad value, saying which setting', () => {
    expect(() => loadLogWriterSettings({ ...minimal, DB_TYPE: 'oracle' })).toThrow(SettingsError);
    expect(() => loadLogWriterSettings({ ...minimal, KAFKA_BROKERS: 'no-port' })).toThrow(/KAFKA_BROKERS/);
  });
});
