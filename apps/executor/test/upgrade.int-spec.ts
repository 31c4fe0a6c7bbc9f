import { KafkaClient, lifecycleEventRecord, type Outcome, type ReceivedEvent } from '@smartlink/messaging';
import { AttemptStatus, MessageStatus } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { ExecutorHarness, TEST_DATABASES, testSettings, type TestDatabase } from './support/executor-harness';

// An upgrade from a poller that appended `received` events to the event log `<ns>.events` to one that appends them
// to `<ns>.received`: the records the old poller left on `<ns>.events`, and that the old executor had not read yet,
// are executed by the new executor exactly once, in its same group `<ns>.executor.events`, beside the new ones.

function received(messageId: string): ReceivedEvent {
  return {
    type: 'received',
    messageId,
    at: '2026-12-07T10:00:00.000Z',
    command: 'DemoPing',
    tenantId: 'tenant-1',
    correlatedId: null,
    data: `{"id":"${messageId}"}`,
    source: null,
    occurredAt: null,
    enqueuedAt: null,
    envelope: 'totvs',
  };
}

function succeeded(messageId: string): Outcome {
  return {
    messageId,
    attempt: 1,
    status: 'succeeded',
    startedAt: '2026-12-07T10:00:01.000Z',
    finishedAt: '2026-12-07T10:00:02.000Z',
  };
}

describe.each(TEST_DATABASES)('an upgrade to the received topic on $name', ({ create }) => {
  let database: TestDatabase;
  const running: ExecutorHarness[] = [];

  beforeAll(async () => {
    database = await create();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((executor) => executor.stop()));
  });

  afterAll(async () => {
    await database?.dispose();
  });

  async function start(namespace: string): Promise<ExecutorHarness> {
    const executor = await ExecutorHarness.start(database.settings, { SMARTLINK_TOPIC_NAMESPACE: namespace });
    running.push(executor);
    return executor;
  }

  it("executes the old poller's received events left on <ns>.events exactly once, beside the new ones", async () => {
    const namespace = uniqueName('executor_upgrade');
    const old = Array.from({ length: 4 }, (_, i) => `${namespace}-old-${i}`);
    const fresh = `${namespace}-new`;

    // Before the upgrade: the old poller appended these to the event log, and no executor read them yet.
    const oldPoller = new KafkaClient(
      testSettings(database.settings, { SMARTLINK_TOPIC_NAMESPACE: namespace }).kafka,
    );
    const admin = oldPoller.createAdmin();
    const producer = oldPoller.createProducer();
    try {
      await admin.ensureTopics([oldPoller.topicSpec(oldPoller.topics.events)]);
      await producer.send(oldPoller.topics.events, old.map(received).map(lifecycleEventRecord));
    } finally {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    }

    // The new executor, and the new poller appending to <ns>.received.
    const first = await start(namespace);
    await first.receive(received(fresh));
    const all = [...old, fresh];
    await first.waitForRows(
      all,
      (rows) => rows.length === all.length && rows.every((row) => row.status === MessageStatus.Dispatched),
      'every message, old and new, dispatched',
    );
    await first.report(...all.map(succeeded));
    await first.waitForRows(all, (rows) => rows.length === 0, 'every success recorded');

    // The upgrade rule: the event log's received records are drained once the group's lag on it is 0.
    const lag = oldPoller.createGroupLag();
    try {
      await waitFor(
        async () => (await lag.read(`${namespace}.executor.events`, first.topics.events)).total === 0,
        {
          description: 'the executor group to drain <ns>.events',
          timeoutMs: 30_000,
        },
      );
    } finally {
      await lag.disconnect();
    }
    expect(first.counters).toMatchObject({
      received: all.length,
      duplicateMessages: 0,
      published: all.length,
    });

    // A restart of the new executor reads on from the committed offsets on both topics: a marker keyed by each old
    // id, appended after it on its partition of <ns>.events, is the only thing the second instance sees there.
    await first.stop();
    const second = await start(namespace);
    const markers = old.map((id) => ({ ...lifecycleEventRecord(received(`${id}-marker`)), key: id }));
    await second.produceRaw(markers, second.topics.events);
    const markerIds = old.map((id) => `${id}-marker`);
    await second.waitForRows(
      markerIds,
      (rows) =>
        rows.length === markerIds.length && rows.every((row) => row.status === MessageStatus.Dispatched),
      'the markers dispatched',
    );
    expect(second.counters).toMatchObject({ received: markerIds.length, duplicateMessages: 0 });

    const ping = second.topics.command('DemoPing');
    await second.collect(ping);
    await waitFor(() => second.records(ping).length === all.length + markerIds.length, {
      description: 'the commands of the messages and the markers',
    });
    const commands = second.records(ping).map((record) => record.key ?? '');
    expect(commands.sort()).toEqual([...all, ...markerIds].sort());
    for (const id of all) {
      const attempts = await second.tables.attempts.findByMessageId(id);
      expect(attempts.map((a) => [a.attempt, a.status])).toEqual([[1, AttemptStatus.Success]]);
    }
  });
});
