import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import {
  commandMessageRecord,
  KafkaClient,
  outboundMessageCodec,
  decodeOutcomesTopicValue,
  isAttemptStarted,
  logRecordCodec,
  type CommandMessage,
  type EventProducer,
  type LogRecord,
  type OutboundMessage,
  type AttemptStarted,
  type Outcome,
} from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';
import { AppModule } from '../src/app/app.module';
import { loadExampleSegmentSettings } from '../src/app/example-segment-settings';
import type { ExampleSegmentStats } from '../src/app/stats/stats.controller';

// The example segment booted in-process on a real broker, driven the way the executor drives it: command messages
// in on `<ns>.cmd.<Command>`, outcomes, logs and published messages read back from `<ns>.outcomes`, `<ns>.logs` and
// `<ns>.outbound` by a group of our own.

describe('example-segment', () => {
  const env = {
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'],
    SMARTLINK_TOPIC_NAMESPACE: uniqueName('example_segment'),
    KAFKA_TOPIC_PARTITIONS: '2',
    KAFKA_RETRY_INITIAL_MS: '100',
    KAFKA_RETRY_MAX_MS: '1000',
    KAFKA_LOG_LEVEL: 'nothing',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
  };
  const settings = loadExampleSegmentSettings(env);
  const observerClient = new KafkaClient(settings.segment.kafka);
  const topics = observerClient.topics;
  let producer: EventProducer;
  const outcomes: Outcome[] = [];
  const markers: AttemptStarted[] = [];
  const logs: LogRecord[] = [];
  const outbound: (OutboundMessage & { id: string | null })[] = [];
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(settings),
      new FastifyAdapter(),
      {
        logger: false,
      },
    );
    await app.listen(settings.http.port, settings.http.host);
    url = await app.getUrl();

    producer = observerClient.createProducer();
    const observer = observerClient.createConsumer({
      groupId: uniqueName('example_segment_observer'),
      topics: [topics.outcomes, topics.logs, topics.outbound],
      handler: async (records) => {
        for (const record of records) {
          if (record.topic === topics.outbound) {
            const message = outboundMessageCodec.decode(record);
            if (!message.ok) throw new Error(`invalid outbound record: ${message.error.message}`);
            outbound.push({ id: record.key, ...message.value });
            continue;
          }
          if (record.topic === topics.outcomes) {
            // The outcomes topic carries each attempt's started marker, then its outcome.
            const value = decodeOutcomesTopicValue(record);
            if (!value.ok) throw new Error(`invalid record on ${record.topic}: ${value.error.message}`);
            if (isAttemptStarted(value.value)) markers.push(value.value);
            else outcomes.push(value.value);
            continue;
          }
          const decoded = logRecordCodec.decode(record);
          if (!decoded.ok) throw new Error(`invalid record on ${record.topic}: ${decoded.error.message}`);
          logs.push(decoded.value);
        }
      },
    });
    await observer.start();
    await waitFor(() => observer.isRunning(), { description: 'the observer to join its group' });
  });

  afterAll(async () => {
    await app?.close();
    await observerClient.stopConsumers();
    await producer?.disconnect();
  });

  async function dispatch(
    command: string,
    data: string,
    attempt = 1,
    id = uniqueName(command),
  ): Promise<string> {
    const message: CommandMessage = {
      id,
      command,
      tenantId: 'tenant-1',
      correlatedId: null,
      attempt,
      data,
      receivedAt: new Date().toISOString(),
    };
    await producer.send(topics.command(command), [commandMessageRecord(message)]);
    return id;
  }

  function outcomeOf(id: string, attempt = 1): Promise<Outcome> {
    return waitFor(() => outcomes.find((o) => o.messageId === id && o.attempt === attempt), {
      description: `the outcome of ${id} attempt ${attempt}`,
      timeoutMs: 45_000,
    });
  }

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  it('is live at once, and ready once Kafka answers and the segment consumes in its group', async () => {
    expect(await get('/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await waitFor(
      async () => {
        const answer = await get<{ status: string; info: Record<string, unknown> }>('/health/ready');
        return answer.status === 200 && answer;
      },
      { description: 'readiness' },
    );
    expect(ready.body.info).toMatchObject({
      kafka: { status: 'up' },
      segment: {
        status: 'up',
        groupId: `${env.SMARTLINK_TOPIC_NAMESPACE}.segment.example`,
        commands: expect.arrayContaining(['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued']),
      },
    });
  });

  it('DemoPing logs, replies with a DemoPong for demo-app correlated to it, and succeeds', async () => {
    const id = await dispatch('DemoPing', '{"n":1}');
    const outcome = await outcomeOf(id);
    expect(outcome).toMatchObject({ status: 'succeeded' });
    // The attempt counted before its handler ran: one started marker, ahead of the outcome.
    expect(markers.filter((m) => m.messageId === id)).toEqual([
      expect.objectContaining({ attempt: 1, status: 'started' }),
    ]);
    const reply = await waitFor(() => outbound.find((m) => m.correlatedId === id), {
      description: 'the DemoPong reply',
    });
    expect(reply).toMatchObject({ command: 'DemoPong', audience: 'demo-app' });
    expect(JSON.parse(reply.data)).toEqual({ pong: id, echo: { n: 1 } });
    // The handler's log line rides in the outcome; the executor writes it to GTOTVSLINKLOG with the attempt.
    expect(outcome.logs).toEqual([
      expect.objectContaining({
        type: 0,
        message: 'pong (attempt 1, tenant tenant-1)',
        source: 'segment:example',
      }),
    ]);
  });

  describe('DemoEmployeeUpdated', () => {
    it('succeeds on JSON data', async () => {
      const id = await dispatch('DemoEmployeeUpdated', '{"id":7}');
      expect(await outcomeOf(id)).toMatchObject({ status: 'succeeded' });
    });

    it('is fatal on data that is not JSON', async () => {
      const id = await dispatch('DemoEmployeeUpdated', 'not json');
      expect(await outcomeOf(id)).toMatchObject({
        status: 'fatal',
        error: expect.stringMatching(/^the employee data is not JSON/),
      });
    });
  });

  describe('DemoInvoiceIssued', () => {
    it('fails attempts up to failAttempts, then succeeds', async () => {
      const id = uniqueName('invoice');
      // As the executor does: attempt n+1 is dispatched only once attempt n has ended. (Dispatched together, the
      // segment would run only the latest: an older attempt in the same chunk has already ended.)
      await dispatch('DemoInvoiceIssued', '{"failAttempts":2}', 1, id);
      expect(await outcomeOf(id, 1)).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('attempt 1'),
      });
      await dispatch('DemoInvoiceIssued', '{"failAttempts":2}', 2, id);
      expect(await outcomeOf(id, 2)).toMatchObject({ status: 'failed' });
      await dispatch('DemoInvoiceIssued', '{"failAttempts":2}', 3, id);
      expect(await outcomeOf(id, 3)).toMatchObject({ status: 'succeeded' });
    });

    it('is fatal when its data says "fatal": true', async () => {
      const id = await dispatch('DemoInvoiceIssued', '{"fatal":true}');
      expect(await outcomeOf(id)).toMatchObject({ status: 'fatal' });
    });
  });

  describe('POST /demo/publish', () => {
    it('publishes count messages of its own and answers their ids', async () => {
      const response = await fetch(`${url}/demo/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 3, command: 'DemoNoticeIt' }),
      });
      expect(response.status).toBe(200);
      const { ids } = (await response.json()) as { ids: string[] };
      expect(ids).toHaveLength(3);

      const published = await waitFor(
        () => {
          const found = outbound.filter((m) => m.id !== null && ids.includes(m.id));
          return found.length === 3 && found;
        },
        { description: 'the three messages on the outbound topic' },
      );
      expect(published.map((m) => [m.command, m.audience, m.correlatedId])).toEqual([
        ['DemoNoticeIt', 'demo-app', undefined],
        ['DemoNoticeIt', 'demo-app', undefined],
        ['DemoNoticeIt', 'demo-app', undefined],
      ]);
    });

    it('refuses a bad request with 400', async () => {
      const response = await fetch(`${url}/demo/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1, audience: 'no/slash' }),
      });
      expect(response.status).toBe(400);
    });
  });

  it('GET /stats reports the counters and the distinct messages handled successfully', async () => {
    const id = await dispatch('DemoPing', '');
    await outcomeOf(id);
    await dispatch('DemoPing', '', 1, id); // a redelivery: answered, not counted twice
    await waitFor(() => outcomes.filter((o) => o.messageId === id).length === 2, {
      description: 'the duplicate',
    });

    const { status, body } = await get<ExampleSegmentStats>('/stats');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      segment: 'example',
      handled: {
        DemoPing: { succeeded: 2, failed: 0, fatal: 0 },
        DemoEmployeeUpdated: { succeeded: 1, failed: 0, fatal: 1 },
        DemoInvoiceIssued: { succeeded: 1, failed: 2, fatal: 1 },
      },
      duplicatesAbsorbed: 1,
      undecodable: 0,
      published: 5,
      distinctSucceeded: 4,
    });
  });
});
