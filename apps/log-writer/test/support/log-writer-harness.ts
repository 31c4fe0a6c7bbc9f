import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  KafkaClient,
  TopicNames,
  logRecordRecord,
  type EventProducer,
  type EventRecord,
  type LogRecord,
} from '@smartlink/messaging';
import {
  type DatabaseSettings,
  type LogEntity,
  openRmTables,
  type RmTables,
  type ScratchDatabase,
  scratchDatabases,
} from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { createLogWriterApp } from '../../src/app/create-log-writer-app';
import { loadLogWriterSettings, type LogWriterSettings } from '../../src/app/log-writer-settings';
import { LogWriterCounters } from '../../src/app/metrics/log-writer-counters';

/** A database the integration tests run against, created for one test file and removed afterwards. */
export type TestDatabase = ScratchDatabase;

/** The databases every log-writer integration test runs on: a scratch PostgreSQL database and a temporary SQLite file. */
// A short busy timeout: a locked file must fail an insert quickly (better-sqlite3 waits synchronously).
export const TEST_DATABASES = scratchDatabases({ DB_SQLITE_BUSY_TIMEOUT_MS: '100' });

/** Log-writer settings for the test broker, a namespace of the test's own and the given database. */
export function testSettings(
  database: DatabaseSettings,
  env: Record<string, string> = {},
): LogWriterSettings {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run these tests through `nx run log-writer:integration`');
  const settings = loadLogWriterSettings({
    KAFKA_BROKERS: brokers,
    KAFKA_CLIENT_ID: 'log-writer-int-spec',
    SMARTLINK_TOPIC_NAMESPACE: uniqueName('logw'),
    KAFKA_TOPIC_PARTITIONS: '2',
    KAFKA_RETRY_INITIAL_MS: '100',
    KAFKA_RETRY_MAX_MS: '1000',
    KAFKA_LOG_LEVEL: 'nothing',
    LOG_WRITER_RETRY_INITIAL_MS: '100',
    LOG_WRITER_RETRY_MAX_MS: '1000',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ...env,
  });
  return { ...settings, database };
}

/** A log record of the test, about message `messageId`. */
export function testLog(messageId: string, overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    messageId,
    type: 0,
    message: `Executed attempt 1 of message ${messageId}: succeeded`,
    date: new Date().toISOString(),
    source: 'executor',
    ...overrides,
  };
}

/**
 * The log-writer running in this process against the real broker and database, with the test's own view of both: a
 * producer playing the services that log, and the RM tables opened through a second connection (optionally other
 * settings than the app's, e.g. past a proxy the test cuts).
 */
export class LogWriterHarness {
  readonly topics: TopicNames;
  private readonly producer: EventProducer;
  private stopped = false;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly settings: LogWriterSettings,
    readonly tables: RmTables,
    private readonly client: KafkaClient,
  ) {
    this.topics = client.topics;
    this.producer = client.createProducer();
  }

  /** Boots the log-writer on `database` and waits until it is ready (consumer in its group). */
  static async start(
    database: DatabaseSettings,
    options: { env?: Record<string, string>; tables?: DatabaseSettings } = {},
  ): Promise<LogWriterHarness> {
    const settings = testSettings(database, options.env);
    const app = await createLogWriterApp(settings, { logger: false });
    await app.listen(settings.http.port, settings.http.host);
    const tables = await openRmTables({ ...(options.tables ?? database), schemaMode: 'verify' });
    const harness = new LogWriterHarness(
      app,
      await app.getUrl(),
      settings,
      tables,
      new KafkaClient(settings.kafka),
    );
    await waitFor(async () => (await harness.get('/health/ready')).status === 200, {
      description: 'the log-writer to be ready',
    });
    return harness;
  }

  /** What the log-writer counted. */
  get counters(): LogWriterCounters {
    return this.app.get(LogWriterCounters, { strict: false });
  }

  /** Produces log records in one send, as the services do. */
  send(logs: readonly LogRecord[]): Promise<void> {
    return this.producer.send(this.topics.logs, logs.map(logRecordRecord));
  }

  /** Produces raw records to the logs topic. */
  sendRaw(records: EventRecord[]): Promise<void> {
    return this.producer.send(this.topics.logs, records);
  }

  /** The GTOTVSLINKLOG rows of these message ids, once there are at least `count` of them. */
  waitForLogs(ids: readonly string[], count: number, timeoutMs = 45_000): Promise<LogEntity[]> {
    return waitFor(
      async () => {
        const rows = await this.tables.logs.findByMessageIds(ids);
        return rows.length >= count ? rows : undefined;
      },
      { description: `${count} rows in GTOTVSLINKLOG`, timeoutMs, intervalMs: 100 },
    );
  }

  get(path: string): Promise<Response> {
    return fetch(`${this.url}${path}`);
  }

  /** The readiness answer: status and body. */
  async readiness(): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.get('/health/ready');
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Closes the log-writer (as on SIGTERM) and everything the test opened. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled([this.app.close()]);
    await Promise.allSettled([this.client.stopConsumers(), this.producer.disconnect(), this.tables.close()]);
  }
}
