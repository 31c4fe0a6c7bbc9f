import { SmartLinkHeaders, type OutboundMessage } from '@smartlink/messaging';
import { AttemptStatus, MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import { SimProcess, uniqueName, waitFor, type SimSent } from '@smartlink/testing';
import { ExecutorHarness, TEST_DATABASES, type TestDatabase } from './support/executor-harness';
import { CLIENT_TIMEOUTS, CLOUD_CLIENT, TENANT } from './support/cloud-client';

// The executor's upstream path as it runs, in this process, against the real broker, a real database and the cloud
// simulator as a process: the test plays the segments (outbound messages) and the retry scheduler (retry-due events)
// and reads what the simulator received, the tables and the topics.

const PUBLISHED = (id: string, overrides: Partial<OutboundMessage> = {}) => ({
  id,
  command: 'DemoPong',
  audience: 'demo-app',
  data: JSON.stringify({ reply: id, texto: 'ação 日本' }),
  ...overrides,
});

describe.each(TEST_DATABASES)('the executor upstream on $name', ({ create }) => {
  let database: TestDatabase;
  let sim: SimProcess;
  let executor: ExecutorHarness;

  beforeAll(async () => {
    [database, sim] = await Promise.all([create(), SimProcess.start(CLOUD_CLIENT)]);
  });

  afterAll(async () => {
    await sim?.stop();
    await database?.dispose();
  });

  beforeEach(async () => {
    executor = await ExecutorHarness.start(database.settings, sim.clientEnv(CLIENT_TIMEOUTS));
  });

  afterEach(async () => {
    await executor?.stop();
    await sim?.setFaults({});
  });

  const sentOf = async (ids: readonly string[]): Promise<SimSent[]> =>
    (await sim.sent()).entries.filter((s) => ids.includes(String(s.envelope?.id)));
  const history = (ids: readonly string[]) => executor.tables.attempts.findByMessageIds(ids);

  it('is ready only with its outbound consumer in the group <ns>.executor.outbound', async () => {
    const body = (await (await executor.get('/health/ready')).json()) as { info: Record<string, unknown> };
    expect(body.info['outbound-consumer']).toEqual({
      status: 'up',
      groupId: `${executor.topics.namespace}.executor.outbound`,
    });
  });

  describe('when segments publish messages', () => {
    it('sends each to send/{type}/{audience} in a TOTVS envelope, records it and deletes the row', async () => {
      const [a, b] = [uniqueName('up'), uniqueName('up')];
      await executor.collect(executor.topics.events);
      await executor.publish(
        PUBLISHED(a, { correlatedId: 'cloud-msg-1' }),
        PUBLISHED(b, { command: 'DemoNotice', audience: 'other-app', data: 'plain text' }),
      );

      const sent = await waitFor(
        async () => {
          const found = await sentOf([a, b]);
          return found.length === 2 && found;
        },
        { description: 'both sends at the simulator', timeoutMs: 45_000 },
      );
      const byId = new Map(sent.map((s) => [String(s.envelope?.id), s]));
      expect(byId.get(a)).toMatchObject({
        tenantId: TENANT,
        type: 'DemoPong',
        audience: 'demo-app',
        body: {
          header: { type: 'DemoPong', tenantId: TENANT, transactionId: a, correlationId: 'cloud-msg-1' },
          content: { reply: a, texto: 'ação 日本' },
        },
        envelope: { style: 'totvs', id: a, correlationId: 'cloud-msg-1', problems: [] },
        headers: expect.objectContaining({ authorization: 'Bearer [redacted]' }),
      });
      expect(byId.get(b)).toMatchObject({
        type: 'DemoNotice',
        audience: 'other-app',
        body: { header: { transactionId: b }, content: 'plain text' },
        envelope: { correlationId: null, problems: [] },
      });
      expect(byId.get(b)?.body['header']).not.toHaveProperty('correlationId');

      const rows = await waitFor(
        async () => {
          const found = await history([a, b]);
          return found.length === 2 && found;
        },
        { description: 'two history rows', timeoutMs: 45_000 },
      );
      for (const row of rows) {
        expect(row).toMatchObject({
          direction: MessageDirection.Upstream,
          attempt: 1,
          status: AttemptStatus.Success,
          error: null,
        });
      }
      expect(rows.find((r) => r.messageId === a)?.data).toBe(
        JSON.stringify({ reply: a, texto: 'ação 日本' }),
      );
      await executor.waitForRows([a, b], (found) => found.length === 0, 'both rows deleted');

      // The history row records the send's success (and step 6 of docs/design/lean-event-flow.md gives it an
      // outcome record); no `succeeded` event repeats it.
      const events = await executor.eventsAbout([a, b]);
      expect(events.map((e) => [e['messageId'], e['type']]).sort()).toEqual(
        [
          [a, 'published'],
          [b, 'published'],
        ].sort(),
      );
    });

    it('sends in a CloudEvents envelope with EXECUTOR_ENVELOPE=cloudevents', async () => {
      const cloudEvents = await ExecutorHarness.start(database.settings, {
        ...sim.clientEnv(CLIENT_TIMEOUTS),
        EXECUTOR_ENVELOPE: 'cloudevents',
        EXECUTOR_ENVELOPE_SOURCE: 'rm-acme',
      });
      try {
        const id = uniqueName('ce');
        await cloudEvents.publish(PUBLISHED(id, { correlatedId: 'cloud-msg-2' }));
        const [sent] = await waitFor(
          async () => {
            const found = await sentOf([id]);
            return found.length === 1 && found;
          },
          { description: 'the send at the simulator', timeoutMs: 45_000 },
        );
        expect(sent).toMatchObject({
          body: {
            specversion: '1.0',
            id,
            type: 'DemoPong',
            source: 'rm-acme',
            correlationid: 'cloud-msg-2',
            tenantid: TENANT,
            data: { reply: id, texto: 'ação 日本' },
          },
          envelope: { style: 'cloudevents', problems: [] },
        });
      } finally {
        await cloudEvents.stop();
      }
    });

    it('renews the token when the cloud answers 401, and the send goes through', async () => {
      const first = uniqueName('before');
      await executor.publish(PUBLISHED(first));
      await waitFor(async () => (await sentOf([first])).length === 1, { description: 'the first send' });
      const tokensBefore = (await sim.stats()).http.requests['token'] ?? 0;

      await sim.rotateKey();
      const second = uniqueName('after');
      await executor.publish(PUBLISHED(second));

      await waitFor(async () => (await sentOf([second])).length === 1, {
        description: 'the send after the key rotation',
        timeoutMs: 45_000,
      });
      expect((await sim.stats()).http.requests['token']).toBeGreaterThan(tokensBefore);
      const [row] = await waitFor(
        async () => {
          const found = await history([second]);
          return found.length === 1 && found;
        },
        { description: 'its history row' },
      );
      expect(row).toMatchObject({ attempt: 1, status: AttemptStatus.Success });
    });
  });

  describe('when the cloud fails the send', () => {
    it('records a 503 as a failed attempt waiting for a retry, and its Retry-After on the failed event', async () => {
      await sim.setFaults({
        rules: [{ kind: 'error', status: 503, retryAfter: 7, endpoints: ['send'], next: 1 }],
      });
      const id = uniqueName('fails');
      await executor.collect(executor.topics.events);
      await executor.publish(PUBLISHED(id));

      const [row] = await executor.waitForRows(
        [id],
        (rows) => rows[0]?.status === MessageStatus.WaitingRetry,
        'the row waiting for a retry',
      );
      expect(row).toMatchObject({
        direction: MessageDirection.Upstream,
        attempts: 1,
        nextAttemptAt: null,
        tenantId: TENANT,
        lastError: expect.stringContaining('HTTP 503'),
      });
      const failed = await waitFor(
        () =>
          executor
            .values(executor.topics.events)
            .find((e) => e['messageId'] === id && e['type'] === 'failed'),
        { description: 'the failed event' },
      );
      expect(failed).toMatchObject({ direction: 'upstream', attempt: 1, retryAfterMs: 7_000 });
      expect(await sentOf([id])).toEqual([]);
    });

    it('records a 400 as fatal: the message is dead', async () => {
      await sim.setFaults({ rules: [{ kind: 'error', status: 400, endpoints: ['send'], next: 1 }] });
      const id = uniqueName('refused');
      await executor.publish(PUBLISHED(id));

      const [row] = await executor.waitForRows(
        [id],
        (rows) => rows[0]?.status === MessageStatus.Dead,
        'the row dead',
      );
      expect(row?.attempts).toBe(1);
      expect(await history([id])).toEqual([
        expect.objectContaining({
          attempt: 1,
          status: AttemptStatus.Fatal,
          error: expect.stringContaining('400'),
        }),
      ]);
    });
  });

  describe('when the retry scheduler hands over a due retry', () => {
    it('sends an upstream message for that attempt, and publishes a downstream one to its segment', async () => {
      const up = uniqueName('retry_up');
      const down = uniqueName('retry_down');
      const now = new Date();
      // Rows as the scheduler's claim leaves them: dispatched, one attempt made.
      await executor.tables.messages.insertIgnoringDuplicates([
        {
          id: up,
          direction: MessageDirection.Upstream,
          command: 'DemoPong',
          audience: 'demo-app',
          tenantId: TENANT,
          correlatedId: 'c-9',
          data: '{"try":2}',
          status: MessageStatus.Dispatched,
          attempts: 1,
          createdAt: now,
          updatedAt: now,
        },
        {
          id: down,
          direction: MessageDirection.Downstream,
          command: 'DemoRetried',
          tenantId: TENANT,
          data: 'payload',
          status: MessageStatus.Dispatched,
          attempts: 1,
          createdAt: now,
          updatedAt: now,
        },
      ]);
      const due = { at: now.toISOString(), dueAt: now.toISOString(), attempt: 2 } as const;
      await executor.emit(
        { type: 'retry-due', messageId: up, command: 'DemoPong', direction: 'upstream', ...due },
        { type: 'retry-due', messageId: down, command: 'DemoRetried', direction: 'downstream', ...due },
      );

      await waitFor(async () => (await sentOf([up])).length === 1, { description: 'the retried send' });
      const [attempt] = await waitFor(
        async () => {
          const found = await history([up]);
          return found.length === 1 && found;
        },
        { description: 'the history of the retried send' },
      );
      expect(attempt).toMatchObject({ attempt: 2, status: AttemptStatus.Success });
      await executor.waitForRows([up], (rows) => rows.length === 0, 'the sent row deleted');

      // The command record is the dispatch of the downstream retry. The command topic exists once the executor has
      // published to it.
      const topic = executor.topics.command('DemoRetried');
      await executor.collect(topic);
      const [command] = await waitFor(() => executor.records(topic).length > 0 && executor.records(topic), {
        description: 'the retried command message',
        timeoutMs: 45_000,
      });
      expect(command?.headers[SmartLinkHeaders.attempt]).toBe('2');
      expect(JSON.parse(command?.value.toString('utf8') ?? '{}')).toMatchObject({
        id: down,
        attempt: 2,
        data: 'payload',
      });
    });

    it('skips a retry whose message has moved on, sending nothing', async () => {
      const id = uniqueName('stale');
      const now = new Date();
      await executor.tables.messages.insertIgnoringDuplicates([
        {
          id,
          direction: MessageDirection.Upstream,
          command: 'DemoPong',
          audience: 'demo-app',
          data: '{}',
          status: MessageStatus.WaitingRetry,
          attempts: 2,
          createdAt: now,
          updatedAt: now,
        },
      ]);
      const control = uniqueName('control');
      await executor.emit({
        type: 'retry-due',
        messageId: id,
        command: 'DemoPong',
        direction: 'upstream',
        attempt: 2,
        at: now.toISOString(),
        dueAt: now.toISOString(),
      });
      // A message published after the event: once it is sent, the stale event has been handled.
      await executor.publish(PUBLISHED(control));
      await waitFor(async () => (await sentOf([control])).length === 1, { description: 'the control send' });
      await waitFor(() => executor.counters.staleRetries >= 1, { description: 'the stale retry counted' });

      expect(await sentOf([id])).toEqual([]);
      expect(await history([id])).toEqual([]);
    });
  });

  describe('when an outbound record cannot be read', () => {
    it('dead-letters it with an error log and sends the good message beside it', async () => {
      await executor.collect(executor.topics.deadletter);
      await executor.collect(executor.topics.logs);
      const bad = uniqueName('bad');
      const good = uniqueName('good');
      await executor.produceRaw([{ key: bad, value: '{"command":"a b"' }], executor.topics.outbound);
      await executor.publish(PUBLISHED(good));

      await waitFor(async () => (await sentOf([good])).length === 1, { description: 'the good send' });
      const letter = await waitFor(
        () => executor.values(executor.topics.deadletter).find((d) => d['messageId'] === bad),
        { description: 'the dead letter', timeoutMs: 45_000 },
      );
      expect(letter).toMatchObject({ direction: 'upstream', reason: 'malformed', source: 'executor' });
      await waitFor(
        () => executor.values(executor.topics.logs).find((l) => l['messageId'] === bad && l['type'] === 2),
        { description: 'the error log' },
      );
    });
  });
});

describe('the executor upstream, stopped while a send hangs', () => {
  let database: TestDatabase;
  let sim: SimProcess;
  const running: ExecutorHarness[] = [];

  beforeAll(async () => {
    [database, sim] = await Promise.all([TEST_DATABASES[1].create(), SimProcess.start(CLOUD_CLIENT)]);
  });

  afterAll(async () => {
    await Promise.all(running.map((executor) => executor.stop()));
    await sim?.stop();
    await database?.dispose();
  });

  it('stops within its grace, records nothing it does not know, and the next instance sends the message', async () => {
    const namespace = uniqueName('executor_upstream_stop');
    const env = {
      ...sim.clientEnv(CLIENT_TIMEOUTS),
      SMARTLINK_TOPIC_NAMESPACE: namespace,
      // The cloud holds the send far longer than the grace: only the grace can end it.
      SMARTLINK_HTTP_TIMEOUT_MS: '60000',
      EXECUTOR_SHUTDOWN_GRACE_MS: '1000',
    };
    await sim.setFaults({ rules: [{ kind: 'timeout', endpoints: ['send'], holdMs: 120_000, next: 1 }] });
    const first = await ExecutorHarness.start(database.settings, env);
    running.push(first);
    const id = uniqueName('held');
    await first.publish(PUBLISHED(id));
    await waitFor(async () => ((await sim.stats()).http.faults['send:timeout'] ?? 0) >= 1, {
      description: 'the send held by the cloud',
      timeoutMs: 45_000,
    });

    const stopping = Date.now();
    await first.app.close(); // what SIGTERM runs
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(await first.tables.attempts.findByMessageIds([id])).toEqual([]);

    const second = await ExecutorHarness.start(database.settings, env);
    running.push(second);
    await waitFor(async () => (await sim.sent()).entries.some((s) => s.envelope?.id === id), {
      description: 'the send made by the next instance',
      timeoutMs: 45_000,
    });
    const [attempt] = await waitFor(
      async () => {
        const rows = await second.tables.attempts.findByMessageIds([id]);
        return rows.length === 1 && rows;
      },
      { description: 'the attempt recorded by the next instance' },
    );
    expect(attempt).toMatchObject({ attempt: 1, status: AttemptStatus.Success });
  });
});
