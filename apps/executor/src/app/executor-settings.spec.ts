import { SettingsError } from '@smartlink/common';
import { DEFAULT_EXECUTOR_HTTP_PORT, EXECUTOR_DEFAULTS, loadExecutorSettings } from './executor-settings';

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

  it('takes batch sizes and concurrency of both consumers from the defaults or the environment', () => {
    expect(loadExecutorSettings(minimal)).toMatchObject({
      events: {
        maxBatchSize: EXECUTOR_DEFAULTS.eventsBatchSize,
        partitionsConsumedConcurrently: EXECUTOR_DEFAULTS.partitionsConsumedConcurrently,
      },
      outcomes: {
        maxBatchSize: EXECUTOR_DEFAULTS.outcomesBatchSize,
        partitionsConsumedConcurrently: EXECUTOR_DEFAULTS.partitionsConsumedConcurrently,
      },
    });
    const tuned = loadExecutorSettings({
      ...minimal,
      EXECUTOR_EVENTS_BATCH_SIZE: '1000',
      EXECUTOR_EVENTS_CONCURRENCY: '6',
      EXECUTOR_OUTCOMES_BATCH_SIZE: '50',
      EXECUTOR_OUTCOMES_CONCURRENCY: '1',
    });
    expect(tuned.events).toEqual({ maxBatchSize: 1000, partitionsConsumedConcurrently: 6 });
    expect(tuned.outcomes).toEqual({ maxBatchSize: 50, partitionsConsumedConcurrently: 1 });
  });

  it('refuses a batch size or concurrency out of range, saying how to fix it', () => {
    expect(() => loadExecutorSettings({ ...minimal, EXECUTOR_EVENTS_BATCH_SIZE: '0' })).toThrow(
      /EXECUTOR_EVENTS_BATCH_SIZE[\s\S]*1-10000/,
    );
    expect(() => loadExecutorSettings({ ...minimal, EXECUTOR_OUTCOMES_CONCURRENCY: 'many' })).toThrow(
      /EXECUTOR_OUTCOMES_CONCURRENCY/,
    );
  });

  it('sends upstream in the TOTVS envelope with bounded concurrency unless told otherwise', () => {
    expect(loadExecutorSettings(minimal).upstream).toEqual({
      outbound: {
        maxBatchSize: EXECUTOR_DEFAULTS.outboundBatchSize,
        partitionsConsumedConcurrently: EXECUTOR_DEFAULTS.partitionsConsumedConcurrently,
      },
      sendConcurrency: EXECUTOR_DEFAULTS.sendConcurrency,
      maxSendPauseMs: EXECUTOR_DEFAULTS.maxSendPauseMs,
      shutdownGraceMs: EXECUTOR_DEFAULTS.shutdownGraceMs,
      envelope: 'totvs',
      envelopeSource: 'smartlink-client',
    });
    const tuned = loadExecutorSettings({
      ...minimal,
      EXECUTOR_OUTBOUND_BATCH_SIZE: '10',
      EXECUTOR_SEND_CONCURRENCY: '4',
      EXECUTOR_ENVELOPE: 'CloudEvents',
      EXECUTOR_ENVELOPE_SOURCE: 'rm-acme',
      EXECUTOR_SHUTDOWN_GRACE_MS: '5000',
    });
    expect(tuned.upstream).toMatchObject({
      outbound: { maxBatchSize: 10 },
      sendConcurrency: 4,
      envelope: 'cloudevents',
      envelopeSource: 'rm-acme',
      shutdownGraceMs: 5000,
    });
  });

  it('refuses an unknown envelope style or a send concurrency out of range', () => {
    expect(() => loadExecutorSettings({ ...minimal, EXECUTOR_ENVELOPE: 'xml' })).toThrow(/EXECUTOR_ENVELOPE/);
    expect(() => loadExecutorSettings({ ...minimal, EXECUTOR_SEND_CONCURRENCY: '0' })).toThrow(
      /EXECUTOR_SEND_CONCURRENCY[\s\S]*1-256/,
    );
  });
});
