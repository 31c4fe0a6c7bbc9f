import { LogType } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { LogWriterHarness, TEST_DATABASES, testLog, type TestDatabase } from './support/log-writer-harness';

const BURST = 4_000;

describe.each(TEST_DATABASES)('the log-writer on $name', ({ create }) => {
  let database: TestDatabase;
  let writer: LogWriterHarness;

  beforeAll(async () => {
    database = await create();
    writer = await LogWriterHarness.start(database.settings);
  });

  afterAll(async () => {
    await writer?.stop();
    await database?.dispose();
  });

  it('answers liveness and readiness with the database, its writes, Kafka and the consumer up', async () => {
    expect((await writer.get('/health/live')).status).toBe(200);
    const { status, body } = await writer.readiness();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      info: {
        database: { status: 'up' },
        'database-writes': { status: 'up' },
        kafka: { status: 'up' },
        'logs-consumer': { status: 'up', groupId: `${writer.topics.namespace}.log-writer` },
        'retention-purge': { status: 'up', lease: 'active' },
      },
    });
  });

  it(`writes a burst of ${BURST} log records as ${BURST} rows in a few inserts`, async () => {
    const before = { ...writer.counters };
    const prefix = uniqueName('burst');
    const ids = Array.from({ length: BURST }, (_, i) => `${prefix}-${i}`);

    await writer.send(ids.map((id) => testLog(id)));
    const rows = await writer.waitForLogs(ids, BURST);

    expect(rows).toHaveLength(BURST);
    expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set(ids));
    // The rows are visible a moment before the handler that wrote them counts them.
    await waitFor(() => writer.counters.written - before.written >= BURST, {
      description: 'the written rows to be counted',
    });
    const inserts = writer.counters.insertBatches - before.insertBatches;
    // Two partitions, chunks of up to 2,000: four inserts when each partition's half arrives in one fetch. One insert
    // per record would be 4,000.
    expect(inserts).toBeLessThanOrEqual(10);
    expect(writer.counters.written - before.written).toBe(BURST);
  });

  it('stores every column of a record, with the source in DATADEBUG', async () => {
    const id = uniqueName('columns');
    await writer.send([
      testLog(id, {
        type: 2,
        message: 'Falha na execução: 日本 😀',
        debug: 'stack trace',
        date: '2026-01-02T03:04:05.678Z',
        source: 'segment:hr',
      }),
    ]);

    const [row] = await writer.waitForLogs([id], 1);

    expect(row).toMatchObject({
      messageId: id,
      type: LogType.Error,
      message: 'Falha na execução: 日本 😀',
      date: new Date('2026-01-02T03:04:05.678Z'),
      debug: 'source: segment:hr\nstack trace',
    });
  });

  describe('when bad records arrive between good ones', () => {
    it('counts and skips what is not a log record, repairs what a column cannot hold, and writes the rest', async () => {
      const before = { ...writer.counters };
      const rowsBefore = await writer.tables.logs.count();
      const good = uniqueName('good');
      const nul = uniqueName('nul');
      const odd = uniqueName('odd');
      await writer.sendRaw([
        { key: 'x', value: 'this is not JSON' },
        { key: 'x', value: JSON.stringify({ type: 9, message: 'no such type' }) },
      ]);
      await writer.send([
        testLog(good),
        // PostgreSQL text refuses NUL: unrepaired, this row would fail the whole insert.
        testLog(nul, { message: 'before\u0000after', debug: 'd\u0000' }),
      ]);
      await writer.sendRaw([
        {
          key: odd,
          value: JSON.stringify({
            type: 1,
            message: `about ${odd}`,
            messageId: `${odd}${'x'.repeat(200)}`,
            date: 'soon',
          }),
        },
      ]);

      const rows = await writer.waitForLogs([good, nul], 2);
      expect(rows.find((r) => r.messageId === nul)).toMatchObject({ message: 'before\uFFFDafter' });
      await waitFor(() => writer.counters.repaired - before.repaired >= 2, {
        description: 'the repaired records to be counted',
      });
      await waitFor(() => writer.counters.undecodable - before.undecodable >= 2, {
        description: 'the undecodable records to be counted',
      });
      expect(writer.counters.undecodable - before.undecodable).toBe(2);
      expect(writer.counters.repaired - before.repaired).toBe(2);
      // The record with the over-long id is a row too, without IDMENSAGEM (its id went to DATADEBUG).
      await waitFor(async () => (await writer.tables.logs.count()) === rowsBefore + 3, {
        description: 'three new rows: the good one, the one with NUL and the one with the over-long id',
      });
      const { status } = await writer.readiness();
      expect(status).toBe(200);
    });
  });
});
