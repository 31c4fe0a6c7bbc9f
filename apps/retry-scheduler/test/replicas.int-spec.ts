import { MessageStatus } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { SchedulerHarness, TEST_DATABASES, failedRow, type TestDatabase } from './support/scheduler-harness';

const ROWS = 2_000;
const WAVES = 10;

// Two retry-scheduler replicas on one database and one namespace, as in a Deployment with replicas: 2. They claim
// from the same table at the same time; the claims (SKIP LOCKED on PostgreSQL, single-writer UPDATE on SQLite) must
// never let both announce the same (message id, attempt).
describe.each(TEST_DATABASES)('two retry schedulers on one $name database', ({ create }) => {
  let database: TestDatabase;
  let replicas: SchedulerHarness[] = [];

  beforeAll(async () => {
    database = await create();
    const namespace = uniqueName('replicas');
    // Small claims, so both replicas take turns many times over the run.
    const env = { RETRY_CLAIM_BATCH_SIZE: '25', RETRY_POLL_INTERVAL_MS: '20' };
    replicas = [
      await SchedulerHarness.start(database.settings, { env, namespace }),
      await SchedulerHarness.start(database.settings, { env, namespace }),
    ];
    await replicas[0]?.collect(replicas[0].topics.events);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.dispose();
  });

  it(`never announce the same due retry twice, over ${ROWS} rows falling due in waves`, async () => {
    const [first, second] = replicas as [SchedulerHarness, SchedulerHarness];
    const ids: string[] = [];
    const start = Date.now();
    // Rows fall due over ~2 s, written while both replicas are claiming, with mixed attempt counts.
    for (let wave = 0; wave < WAVES; wave += 1) {
      const rows = Array.from({ length: ROWS / WAVES }, (_, i) => {
        const id = `${uniqueName('due')}-${wave}-${i}`;
        ids.push(id);
        return failedRow(id, 1 + (i % 4), { nextAttemptAt: new Date(start + wave * 200 + (i % 50)) });
      });
      await first.tables.messages.insertIgnoringDuplicates(rows);
    }

    const announced = await waitFor(
      () => {
        const due = first.events('retry-due');
        return due.length >= ROWS ? due : undefined;
      },
      { description: `${ROWS} retry-due events`, timeoutMs: 60_000, intervalMs: 200 },
    );

    const keys = announced.map((e) => `${String(e['messageId'])}#${String(e['attempt'])}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(announced.map((e) => e['messageId']))).toEqual(new Set(ids));
    const byId = new Map(announced.map((e) => [e['messageId'], e['attempt']]));
    const rows = await first.tables.messages.findByIds(ids);
    expect(
      rows.every((r) => r.status === MessageStatus.Dispatched && byId.get(r.id) === r.attempts + 1),
    ).toBe(true);
    // Both replicas did part of the work.
    expect(first.counters.retriesDue).toBeGreaterThan(0);
    expect(second.counters.retriesDue).toBeGreaterThan(0);
    expect(first.counters.retriesDue + second.counters.retriesDue).toBe(ROWS);
  });
});
