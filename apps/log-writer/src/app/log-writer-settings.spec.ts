import { SettingsError } from '@smartlink/common';
import { LogWriterDefaults as D } from './log-writer.defaults';
import { DEFAULT_LOG_WRITER_HTTP_PORT, loadLogWriterSettings } from './log-writer-settings';

describe('loadLogWriterSettings', () => {
  const minimal = {};

  it('boots on the defaults: SQLite, the local broker, its own health port', () => {
    const settings = loadLogWriterSettings(minimal);
    expect(settings.http.port).toBe(DEFAULT_LOG_WRITER_HTTP_PORT);
    expect(settings.database.type).toBe('sqlite');
    expect(settings.kafka.brokers).toEqual(['localhost:19092']);
  });

  it('writes in batches of thousands and keeps history 90 days and logs 30 days, purged hourly', () => {
    const { writer, retention } = loadLogWriterSettings(minimal);
    expect(writer).toEqual({
      maxBatchSize: 2_000,
      partitionsConsumedConcurrently: D.partitionsConsumedConcurrently,
      insertTimeoutMs: D.insertTimeoutMs,
      retryInitialMs: D.retryInitialMs,
      retryMaxMs: D.retryMaxMs,
    });
    expect(retention).toEqual({
      enabled: true,
      execRetentionDays: 90,
      logRetentionDays: 30,
      intervalMs: 3_600_000,
      chunkSize: 1_000,
      chunkPauseMs: 100,
    });
  });

  it('takes every tunable from the environment', () => {
    const settings = loadLogWriterSettings({
      LOG_WRITER_BATCH_SIZE: '5000',
      LOG_WRITER_CONCURRENCY: '4',
      LOG_WRITER_INSERT_TIMEOUT_MS: '10000',
      LOG_WRITER_RETRY_INITIAL_MS: '100',
      LOG_WRITER_RETRY_MAX_MS: '2000',
      RETENTION_PURGE_ENABLED: 'false',
      EXEC_RETENTION_DAYS: '365',
      LOG_RETENTION_DAYS: '7',
      RETENTION_PURGE_INTERVAL_MS: '60000',
      RETENTION_PURGE_CHUNK_SIZE: '500',
      RETENTION_PURGE_CHUNK_PAUSE_MS: '0',
    });
    expect(settings.writer).toEqual({
      maxBatchSize: 5_000,
      partitionsConsumedConcurrently: 4,
      insertTimeoutMs: 10_000,
      retryInitialMs: 100,
      retryMaxMs: 2_000,
    });
    expect(settings.retention).toEqual({
      enabled: false,
      execRetentionDays: 365,
      logRetentionDays: 7,
      intervalMs: 60_000,
      chunkSize: 500,
      chunkPauseMs: 0,
    });
  });

  it('stops start-up on a bad value, saying which setting', () => {
    expect(() => loadLogWriterSettings({ ...minimal, DB_TYPE: 'oracle' })).toThrow(SettingsError);
    expect(() => loadLogWriterSettings({ ...minimal, KAFKA_BROKERS: 'no-port' })).toThrow(/KAFKA_BROKERS/);
    expect(() => loadLogWriterSettings({ LOG_RETENTION_DAYS: '0' })).toThrow(/LOG_RETENTION_DAYS/);
    expect(() => loadLogWriterSettings({ EXEC_RETENTION_DAYS: '1.5' })).toThrow(/EXEC_RETENTION_DAYS/);
    expect(() => loadLogWriterSettings({ LOG_WRITER_BATCH_SIZE: '20000' })).toThrow(/LOG_WRITER_BATCH_SIZE/);
    expect(() => loadLogWriterSettings({ RETENTION_PURGE_CHUNK_SIZE: '0' })).toThrow(
      /RETENTION_PURGE_CHUNK_SIZE/,
    );
  });

  it('refuses a retry ceiling below the first retry wait', () => {
    expect(() =>
      loadLogWriterSettings({ LOG_WRITER_RETRY_INITIAL_MS: '5000', LOG_WRITER_RETRY_MAX_MS: '1000' }),
    ).toThrow(/LOG_WRITER_RETRY_MAX_MS/);
  });
});
