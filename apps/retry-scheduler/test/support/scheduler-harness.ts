import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  KafkaClient,
  TopicNames,
  lifecycleEventRecord,
  type AttemptFinishedEvent,
  type ConsumedMessage,
  type EventProducer,
  type LifecycleEvent,
} from '@smartlink/messaging';
import type { RetryPolicyDocument } from '@smartlink/retry-policy';
import {
  type DatabaseSettings,
  MessageDirection,
  type MessageEntity,
  MessageStatus,
  type NewMessage,
  openRmTables,
  type RmTables,
  type ScratchDatabase,
  scratchDatabases,
} from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { createRetrySchedulerApp } from '../../src/app/create-retry-scheduler-app';
import { RetrySchedulerCounters } from '../../src/app/metrics/retry-scheduler-counters';
import {
  loadRetrySchedulerSettings,
  type RetrySchedulerSettings,
} from '../../src/app/retry-scheduler-settings';

/** A database the integration tests run against, created for one test file and removed afterwards. */
export type TestDatabase = ScratchDatabase;

/** The databases every scheduler integration test runs on: a scratch PostgreSQL database and a temporary SQLite file. */
export const TEST_DATABASES = scratchDatabases();

/** A fast test policy: 3 attempts, 300 ms then 600 ms, no jitter. */
export const TEST_POLICY: RetryPolicyDocument = {
  retry: {
    maxAttempts: 3,
    strategy: 'exponential',
    initialDelayMs: 300,
    multiplier: 2,
    maxDelayMs: 5_000,
    jitter: 0,
  },
};

/** The bearer token POST /redrive wants from the harness's scheduler, unless a test gives its own. */
export const HARNESS_REDRIVE_TOKEN = 'redrive-token-of-the-scheduler-harness';

/** What a harness boots with beyond the database. */
export interface HarnessOptions {
  /** Extra settings (e.g. DISPATCH_TIMEOUT_MS); RETRY_POLICY_FILE is written from `policy` unless given. */
  readonly env?: Record<string, string>;
  readonly policy?: RetryPolicyDocument;
  /** Share a namespace with another harness (replicas); a fresh one otherwise. */
  readonly namespace?: string;
}

/**
 * The retry-scheduler running in this process against the real broker and database, with the test's own view of
 * both: a producer playing the executor (failed and fatal events), observers of the topics the scheduler writes, and
 * the RM tables through a second connection.
 */
export class SchedulerHarness {
  readonly topics: TopicNames;
  private readonly producer: EventProducer;
  private readonly collected = new Map<string, ConsumedMessage[]>();
  private stopped = false;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly settings: RetrySchedulerSettings,
    readonly tables: RmTables,
    private readonly client: KafkaClient,
    private readonly policyDir: string,
  ) {
    this.topics = client.topics;
    this.producer = client.createProducer();
  }

  /** Boots the scheduler and waits until it is ready (consumer in its group, loops running). */
  static async start(database: DatabaseSettings, options: HarnessOptions = {}): Promise<SchedulerHarness> {
    const brokers = process.env['KAFKA_BROKERS'];
    if (!brokers)
      throw new Error(
        'KAFKA_BROKERS is not set: run these tests through `nx run retry-scheduler:integration`',
      );
    const policyDir = mkdtempSync(join(tmpdir(), 'retry-policy-'));
    const policyFile = join(policyDir, 'totvsAppConfig_v2.json');
    writeFileSync(policyFile, JSON.stringify(options.policy ?? TEST_POLICY));
    const settings = {
      ...loadRetrySchedulerSettings({
        KAFKA_BROKERS: brokers,
        KAFKA_CLIENT_ID: 'retry-scheduler-int-spec',
        SMARTLINK_TOPIC_NAMESPACE: options.namespace ?? uniqueName('retry'),
        KAFKA_TOPIC_PARTITIONS: '2',
        KAFKA_RETRY_INITIAL_MS: '100',
        KAFKA_RETRY_MAX_MS: '1000',
        KAFKA_LOG_LEVEL: 'nothing',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        RETRY_POLICY_FILE: policyFile,
        REDRIVE_HTTP_TOKEN: HARNESS_REDRIVE_TOKEN,
        RETRY_POLL_INTERVAL_MS: '50',
        RETRY_SWEEP_INTERVAL_MS: '200',
        // Nothing executes the retries in these tests: a long timeout keeps claimed rows as the claim left them.
        DISPATCH_TIMEOUT_MS: '3600000',
        ...options.env,
      }),
      database,
    };
    const app = await createRetrySchedulerApp(settings, { logger: false });
    await app.listen(settings.http.port, settings.http.host);
    const tables = await openRmTables({ ...database, schemaMode: 'verify' });
    const harness = new SchedulerHarness(
      app,
      await app.getUrl(),
      settings,
      tables,
      new KafkaClient(settings.kafka),
      policyDir,
    );
    await waitFor(async () => (await fetch(`${harness.url}/health/ready`)).status === 200, {
      description: 'the retry scheduler to be ready',
      timeoutMs: 30_000,
    });
    return harness;
  }

  /** What this scheduler counted. */
  get counters(): RetrySchedulerCounters {
    return this.app.get(RetrySchedulerCounters, { strict: false });
  }

  /** Produces lifecycle events to `<ns>.events`, as the executor does. */
  emit(...events: LifecycleEvent[]): Promise<void> {
    return this.producer.send(this.topics.events, events.map(lifecycleEventRecord));
  }

  /** Starts reading `topic` from the beginning in a group of the test's own; {@link values} then holds it. */
  async collect(topic: string): Promise<void> {
    if (this.collected.has(topic)) return;
    const records: ConsumedMessage[] = [];
    this.collected.set(topic, records);
    const consumer = this.client.createConsumer({
      groupId: uniqueName('retry_observer'),
      topics: [topic],
      handler: async (batch) => {
        records.push(...batch);
      },
    });
    await consumer.start();
    await waitFor(() => consumer.isRunning(), { description: `the observer of ${topic} to join its group` });
  }

  /** Values read so far from a collected topic, parsed as JSON, optionally only those about `messageId`. */
  values(topic: string, messageId?: string): Record<string, unknown>[] {
    const records = this.collected.get(topic);
    if (!records) throw new Error(`${topic} is not collected; call collect() first`);
    return records
      .map((r) => JSON.parse(r.value.toString('utf8')) as Record<string, unknown>)
      .filter((v) => messageId === undefined || v['messageId'] === messageId);
  }

  /** Lifecycle events of one type read so far, about one message when given. */
  events(type: string, messageId?: string): Record<string, unknown>[] {
    return this.values(this.topics.events, messageId).filter((e) => e['type'] === type);
  }

  /** Waits until the row of `id` satisfies `accept`; resolves with it. */
  async waitForRow(
    id: string,
    accept: (row: MessageEntity) => boolean,
    description: string,
  ): Promise<MessageEntity> {
    return waitFor(
      async () => {
        const [row] = await this.tables.messages.findByIds([id]);
        return row && accept(row) ? row : undefined;
      },
      { description, timeoutMs: 30_000 },
    );
  }

  /** Waits until `count` events of `type` about `messageId` were read; resolves with them. */
  async waitForEvents(type: string, messageId: string, count = 1): Promise<Record<string, unknown>[]> {
    return waitFor(
      () => {
        const found = this.events(type, messageId);
        return found.length >= count ? found : undefined;
      },
      { description: `${count} ${type} event(s) of ${messageId}`, timeoutMs: 30_000 },
    );
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  /** Closes the scheduler (as on SIGTERM) and everything the test opened. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled([this.app.close()]);
    await Promise.allSettled([this.client.stopConsumers(), this.producer.disconnect(), this.tables.close()]);
    rmSync(this.policyDir, { recursive: true, force: true });
  }
}

/** The DB_* settings that point a process (the CLI) at the test database. */
export function databaseEnv(settings: DatabaseSettings): Record<string, string> {
  switch (settings.type) {
    case 'sqlite':
      return { DB_TYPE: 'sqlite', DB_SQLITE_PATH: settings.path };
    case 'postgres':
      return {
        DB_TYPE: 'postgres',
        DB_HOST: settings.host,
        DB_PORT: String(settings.port),
        DB_USER: settings.user,
        DB_NAME: settings.database,
        ...(settings.password ? { DB_PASSWORD: settings.password.reveal() } : {}),
      };
    case 'mssql':
      throw new Error('no SQL Server in these tests');
  }
}

/** A downstream message row as the executor leaves it after a failed attempt (waiting retry, not yet planned). */
export function failedRow(id: string, attempts: number, overrides: Partial<NewMessage> = {}): NewMessage {
  const now = new Date();
  return {
    id,
    direction: MessageDirection.Downstream,
    command: 'DemoInvoiceIssued',
    tenantId: 'tenant-1',
    data: `{"id":"${id}","texto":"ação 日本"}`,
    status: MessageStatus.WaitingRetry,
    attempts,
    nextAttemptAt: null,
    lastError: `attempt ${attempts} failed`,
    createdAt: new Date(now.getTime() - 60_000),
    updatedAt: now,
    ...overrides,
  };
}

/** The `failed` event the executor emits for that row. */
export function failedEventOf(
  id: string,
  attempt: number,
  overrides: Partial<AttemptFinishedEvent> = {},
): AttemptFinishedEvent {
  const now = new Date().toISOString();
  return {
    type: 'failed',
    messageId: id,
    at: now,
    command: 'DemoInvoiceIssued',
    direction: 'downstream',
    attempt,
    error: `attempt ${attempt} failed`,
    startedAt: now,
    finishedAt: now,
    ...overrides,
  };
}
