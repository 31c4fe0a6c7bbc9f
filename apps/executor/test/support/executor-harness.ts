import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  KafkaClient,
  SmartLinkHeaders,
  TopicNames,
  lifecycleEventRecord,
  outboundMessageRecord,
  outcomeRecord,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type LifecycleEvent,
  type OutboundMessage,
  type Outcome,
  type ReceivedEvent,
} from '@smartlink/messaging';
import {
  type DatabaseSettings,
  openRmTables,
  type RmTables,
  type ScratchDatabase,
  scratchDatabases,
} from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { createExecutorApp } from '../../src/app/create-executor-app';
import { loadExecutorSettings, type ExecutorSettings } from '../../src/app/executor-settings';
import { ExecutorCounters } from '../../src/app/metrics/executor-counters';

/** A database the integration tests run against, created for one test file and removed afterwards. */
export type TestDatabase = ScratchDatabase;

/** The databases every executor integration test runs on: a scratch PostgreSQL database and a temporary SQLite file. */
export const TEST_DATABASES = scratchDatabases();

/** Executor settings for the test broker, a namespace of the test's own and the given database. */
export function testSettings(database: DatabaseSettings, env: Record<string, string> = {}): ExecutorSettings {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run these tests through `nx run executor:integration`');
  const settings = loadExecutorSettings({
    KAFKA_BROKERS: brokers,
    KAFKA_CLIENT_ID: 'executor-int-spec',
    SMARTLINK_TOPIC_NAMESPACE: uniqueName('executor'),
    KAFKA_TOPIC_PARTITIONS: '2',
    KAFKA_RETRY_INITIAL_MS: '100',
    KAFKA_RETRY_MAX_MS: '1000',
    KAFKA_LOG_LEVEL: 'nothing',
    // Tests of the upstream path point these at the simulator; the others never reach the cloud.
    SMARTLINK_RAC_URL: 'http://127.0.0.1:9',
    SMARTLINK_API_URL: 'http://127.0.0.1:9/api/v1',
    SMARTLINK_CLIENT_ID: 'executor-int-spec',
    SMARTLINK_CLIENT_SECRET: 'not-a-real-secret',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ...env,
  });
  return { ...settings, database };
}

/**
 * The executor running in this process against the real broker and database, with the test's own view of both: a
 * producer playing the poller and the segments, consumers of its own groups reading what the executor published, and
 * the RM tables opened through a second connection.
 */
export class ExecutorHarness {
  readonly topics: TopicNames;
  private readonly producer: EventProducer;
  private readonly collected = new Map<string, ConsumedMessage[]>();
  private stopped = false;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly settings: ExecutorSettings,
    readonly tables: RmTables,
    private readonly client: KafkaClient,
  ) {
    this.topics = client.topics;
    this.producer = client.createProducer();
  }

  /** Boots the executor and waits until it is ready (both consumers in their groups). */
  static async start(database: DatabaseSettings, env: Record<string, string> = {}): Promise<ExecutorHarness> {
    const settings = testSettings(database, env);
    const app = await createExecutorApp(settings, { logger: false });
    await app.listen(settings.http.port, settings.http.host);
    const tables = await openRmTables({ ...database, schemaMode: 'verify' });
    const harness = new ExecutorHarness(
      app,
      await app.getUrl(),
      settings,
      tables,
      new KafkaClient(settings.kafka),
    );
    await waitFor(async () => (await harness.get('/health/ready')).status === 200, {
      description: 'the executor to be ready',
    });
    return harness;
  }

  /** What the executor counted. */
  get counters(): ExecutorCounters {
    return this.app.get(ExecutorCounters, { strict: false });
  }

  /** Produces `received` events to `<ns>.received`, as the poller does. */
  receive(...events: ReceivedEvent[]): Promise<void> {
    return this.producer.send(this.topics.received, events.map(lifecycleEventRecord));
  }

  /** Produces outcomes, as segments do. */
  report(...outcomes: Outcome[]): Promise<void> {
    return this.producer.send(this.topics.outcomes, outcomes.map(outcomeRecord));
  }

  /** Produces events of any type to the event log, e.g. `retry-due` as the retry scheduler does. */
  emit(...events: LifecycleEvent[]): Promise<void> {
    return this.producer.send(this.topics.events, events.map(lifecycleEventRecord));
  }

  /** Produces messages to `<ns>.outbound`, keyed by their id, as segments do. */
  publish(...messages: (OutboundMessage & { id: string })[]): Promise<void> {
    return this.producer.send(
      this.topics.outbound,
      messages.map(({ id, ...message }) => outboundMessageRecord(id, message)),
    );
  }

  /** Produces raw records to a topic (the event log by default). */
  produceRaw(records: EventRecord[], topic = this.topics.events): Promise<void> {
    return this.producer.send(topic, records);
  }

  /**
   * Starts reading `topic` from the beginning in a group of the test's own, once the topic exists; {@link records}
   * then holds everything on it. Command topics exist once the executor has published to them.
   */
  async collect(topic: string): Promise<void> {
    if (this.collected.has(topic)) return;
    const records: ConsumedMessage[] = [];
    this.collected.set(topic, records);
    const consumer = this.client.createConsumer({
      groupId: uniqueName('executor_observer'),
      topics: [topic],
      handler: async (batch) => {
        records.push(...batch);
      },
    });
    try {
      await consumer.start();
    } catch (error) {
      // Forget it, so a later call (once the topic exists) starts over instead of reading nothing.
      this.collected.delete(topic);
      throw error;
    }
    await waitFor(() => consumer.isRunning(), { description: `the observer of ${topic} to join its group` });
  }

  /** Records read so far from a collected topic. */
  records(topic: string): ConsumedMessage[] {
    const records = this.collected.get(topic);
    if (!records) throw new Error(`${topic} is not collected; call collect() first`);
    return records;
  }

  /** Values read so far from a collected topic, parsed as JSON. */
  values(topic: string): Record<string, unknown>[] {
    return this.records(topic).map((r) => JSON.parse(r.value.toString('utf8')) as Record<string, unknown>);
  }

  /**
   * The events about `messageIds` on the event log, once the executor has done everything given to it so far. Waits
   * until its three groups have committed every record of their topics: it commits a chunk only after the records
   * the chunk produced are acknowledged, so those records are on the event log by then. Then appends a barrier
   * record keyed by each id (so on the partition of that id's events, after them) and waits until the observer of
   * the event log has read every barrier. The event log must be collected. The barriers are left out; the executor
   * ignores them as records of a type it does not act on.
   */
  async eventsAbout(messageIds: readonly string[]): Promise<Record<string, unknown>[]> {
    const { received, events, outcomes, outbound, namespace } = this.topics;
    const lag = this.client.createGroupLag();
    try {
      await waitFor(
        async () => {
          const groups: [string, string][] = [
            [`${namespace}.executor.events`, received],
            [`${namespace}.executor.events`, events],
            [`${namespace}.executor.outcomes`, outcomes],
            [`${namespace}.executor.outbound`, outbound],
          ];
          const totals = await Promise.all(groups.map(([group, topic]) => lag.read(group, topic)));
          return totals.every((t) => t.total === 0);
        },
        { description: 'the executor to commit everything it was given', timeoutMs: 45_000 },
      );
    } finally {
      await lag.disconnect();
    }
    const barrier = uniqueName('barrier');
    await this.produceRaw(
      messageIds.map((messageId) => ({
        key: messageId,
        value: JSON.stringify({ type: 'test-barrier', messageId, barrier }),
        headers: { [SmartLinkHeaders.schema]: 'event/test-barrier/v1' },
      })),
    );
    const about = new Set(messageIds);
    const read = () => this.values(events).filter((e) => about.has(String(e['messageId'])));
    await waitFor(() => read().filter((e) => e['barrier'] === barrier).length === messageIds.length, {
      description: 'the observer of the event log to read the barriers',
      timeoutMs: 45_000,
    });
    return read().filter((e) => e['type'] !== 'test-barrier');
  }

  /** Waits until the message rows of `ids` satisfy `accept`. */
  async waitForRows(
    ids: readonly string[],
    accept: (rows: Awaited<ReturnType<RmTables['messages']['findByIds']>>) => boolean,
    description: string,
  ) {
    return waitFor(
      async () => {
        const rows = await this.tables.messages.findByIds(ids);
        return accept(rows) ? rows.sort((a, b) => (a.id < b.id ? -1 : 1)) : false;
      },
      { description, timeoutMs: 45_000 },
    );
  }

  get(path: string): Promise<Response> {
    return fetch(`${this.url}${path}`);
  }

  /** Closes the executor (as on SIGTERM) and everything the test opened. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled([this.app.close()]);
    await Promise.allSettled([this.client.stopConsumers(), this.producer.disconnect(), this.tables.close()]);
  }
}
