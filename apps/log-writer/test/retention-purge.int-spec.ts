import { KafkaClient, type KafkaLease } from '@smartlink/messaging';
import {
  AttemptStatus,
  LogType,
  MessageDirection,
  MessageStatus,
  openRmTables,
  type NewAttempt,
  type NewLog,
  type NewMessage,
  type RmTables,
} from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { LogWriterDefaults } from '../src/app/log-writer.defaults';
import type { RetentionSettings } from '../src/app/log-writer-settings';
import { LogWriterCounters } from '../src/app/metrics/log-writer-counters';
import { RetentionPurger } from '../src/app/retention/retention-purger';
import { abortableDelay } from '@smartlink/common';
import {
  LogWriterHarness,
  TEST_DATABASES,
  testSettings,
  type TestDatabase,
} from './support/log-writer-harness';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00.000Z');
const EXEC_CUTOFF = new Date(NOW.getTime() - 90 * DAY);
const LOG_CUTOFF = new Date(NOW.getTime() - 30 * DAY);
const at = (base: Date, offsetMs: number) => new Date(base.getTime() + offsetMs);

/** Tests assert on results, not on log lines. */
const silent = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

const retention: RetentionSettings = {
  enabled: true,
  execRetentionDays: 90,
  logRetentionDays: 30,
  intervalMs: 3_600_000,
  chunkSize: 10,
  chunkPauseMs: 0,
};

function message(id: string, status: MessageStatus): NewMessage {
  return {
    id,
    direction: MessageDirection.Downstream,
    command: 'DemoPing',
    data: '{}',
    status,
    createdAt: at(NOW, -400 * DAY),
  };
}

function attempt(messageId: string, finishedAt: Date): NewAttempt {
  return {
    messageId,
    direction: MessageDirection.Downstream,
    command: 'DemoPing',
    attempt: 1,
    status: AttemptStatus.Failure,
    startedAt: at(finishedAt, -1),
    finishedAt,
  };
}

function log(messageId: string | null, date: Date, text = `about ${messageId ?? 'nothing'}`): NewLog {
  return { messageId, type: LogType.Info, message: text, date };
}

/** A purger on the real tables and a real Kafka lease, at a fixed instant. */
function purgerFor(tables: RmTables, lease: KafkaLease, settings: RetentionSettings = retention) {
  const counters = new LogWriterCounters();
  const purger = new RetentionPurger({
    attempts: tables.attempts,
    logs: tables.logs,
    lease,
    counters,
    clock: { now: () => NOW },
    pause: abortableDelay,
    logger: silent,
    settings,
  });
  return { purger, counters };
}

describe.each(TEST_DATABASES)('the retention purge on $name', ({ create }) => {
  let database: TestDatabase;
  let tables: RmTables;
  const leases: KafkaLease[] = [];
  const running = new AbortController().signal;

  /** The purger lease of the replicas of one installation (one topic namespace per test). */
  const installation = () => {
    const client = new KafkaClient(testSettings(database.settings).kafka);
    return async (): Promise<KafkaLease> => {
      const lease = client.createLease(LogWriterDefaults.purgeLeaseName, {
        sessionTimeoutMs: 6_000,
        logger: silent,
      });
      leases.push(lease);
      await lease.start();
      return lease;
    };
  };

  beforeAll(async () => {
    database = await create();
    tables = await openRmTables(database.settings);
  });

  afterAll(async () => {
    await Promise.allSettled(leases.map((lease) => lease.stop()));
    await tables?.close();
    await database?.dispose();
  });

  it('removes rows strictly before the cutoffs, in chunks, sparing every message still stored', async () => {
    const stored = {
      pending: MessageStatus.Pending,
      dispatched: MessageStatus.Dispatched,
      waiting: MessageStatus.WaitingRetry,
      dead: MessageStatus.Dead,
    };
    const prefix = uniqueName('bounds');
    const id = (name: string) => `${prefix}-${name}`;
    await tables.messages.insertIgnoringDuplicates(
      Object.entries(stored).map(([name, status]) => message(id(name), status)),
    );
    const bulk = Array.from({ length: 25 }, (_, i) => id(`bulk-${i}`));
    await tables.attempts.insertIgnoringDuplicates([
      attempt(id('before'), at(EXEC_CUTOFF, -1)),
      attempt(id('at'), EXEC_CUTOFF),
      attempt(id('after'), at(EXEC_CUTOFF, 1)),
      ...Object.keys(stored).map((name) => attempt(id(name), at(EXEC_CUTOFF, -365 * DAY))),
      ...bulk.map((b) => attempt(b, at(EXEC_CUTOFF, -DAY))),
    ]);
    const logsBefore = await tables.logs.count();
    await tables.logs.insert([
      log(id('before'), at(LOG_CUTOFF, -1)),
      log(id('at'), LOG_CUTOFF),
      log(id('after'), at(LOG_CUTOFF, 1)),
      log(null, at(LOG_CUTOFF, -1), `${prefix} no message, old`),
      log(null, LOG_CUTOFF, `${prefix} no message, at the cutoff`),
      ...Object.keys(stored).map((name) => log(id(name), at(LOG_CUTOFF, -365 * DAY))),
      ...bulk.map((b) => log(b, at(LOG_CUTOFF, -DAY))),
    ]);

    const lease = await installation()();
    await waitFor(() => lease.isHeld(), { description: 'the only purger to hold the lease' });
    const { purger, counters } = purgerFor(tables, lease);
    const summary = await purger.run(running);

    // 26 attempts in chunks of 10: 10, 10, 6, then a chunk that deletes nothing; 27 logs: 10, 10, 7, 0.
    expect(summary).toMatchObject({ attempts: 26, logs: 27, statements: 8, complete: true });
    expect(counters).toMatchObject({ purgeRuns: 1, purgedAttempts: 26, purgedLogs: 27 });

    const all = [id('before'), id('at'), id('after'), ...Object.keys(stored).map(id), ...bulk];
    const keptAttempts = (await tables.attempts.findByMessageIds(all)).map((a) => a.messageId).sort();
    expect(keptAttempts).toEqual([id('after'), id('at'), ...Object.keys(stored).map(id)].sort());
    const keptLogs = (await tables.logs.findByMessageIds(all)).map((l) => l.messageId).sort();
    expect(keptLogs).toEqual([id('after'), id('at'), ...Object.keys(stored).map(id)].sort());
    // Of the two records without a message, the one at the cutoff stays.
    expect(await tables.logs.count()).toBe(logsBefore + 2 + 4 + 1);

    // A second run finds nothing more to do.
    expect(await purger.run(running)).toMatchObject({ attempts: 0, logs: 0, statements: 2 });
  });

  it('purges on one replica at a time, and on another once the first leaves', async () => {
    const prefix = uniqueName('lease');
    const old = Array.from({ length: 3 }, (_, i) => `${prefix}-${i}`);
    await tables.attempts.insertIgnoringDuplicates(old.map((o) => attempt(o, at(EXEC_CUTOFF, -DAY))));

    const replica = installation();
    const first = await replica();
    const second = await replica();
    await waitFor(() => first.isHeld() !== second.isHeld(), {
      description: 'exactly one of the two replicas to hold the purger lease',
      timeoutMs: 30_000,
    });
    const [holder, standby] = first.isHeld() ? [first, second] : [second, first];
    const active = purgerFor(tables, holder);
    const idle = purgerFor(tables, standby);

    const results = await Promise.all([active.purger.run(running), idle.purger.run(running)]);

    expect(results[0]).toMatchObject({ attempts: 3, complete: true });
    expect(results[1]).toBeNull();
    expect(idle.counters.purgeRuns).toBe(0);

    await tables.attempts.insertIgnoringDuplicates([attempt(`${prefix}-late`, at(EXEC_CUTOFF, -DAY))]);
    await holder.stop();
    await waitFor(() => standby.isHeld(), {
      description: 'the standby to take the lease over',
      timeoutMs: 30_000,
    });
    expect(await idle.purger.run(running)).toMatchObject({ attempts: 1 });
  });
});

describe.each(TEST_DATABASES)('the log-writer purging on its schedule on $name', ({ create }) => {
  let database: TestDatabase;
  let writer: LogWriterHarness;

  beforeAll(async () => {
    database = await create();
    writer = await LogWriterHarness.start(database.settings, {
      env: {
        RETENTION_PURGE_INTERVAL_MS: '1000',
        RETENTION_PURGE_CHUNK_SIZE: '5',
        RETENTION_PURGE_CHUNK_PAUSE_MS: '0',
        EXEC_RETENTION_DAYS: '90',
        LOG_RETENTION_DAYS: '30',
      },
    });
  });

  afterAll(async () => {
    await writer?.stop();
    await database?.dispose();
  });

  it('removes history older than EXEC_RETENTION_DAYS and logs older than LOG_RETENTION_DAYS, keeping the rest', async () => {
    const now = Date.now();
    const prefix = uniqueName('scheduled');
    const old = Array.from({ length: 12 }, (_, i) => `${prefix}-old-${i}`);
    const recent = Array.from({ length: 3 }, (_, i) => `${prefix}-new-${i}`);
    const { tables } = writer;
    await tables.attempts.insertIgnoringDuplicates([
      ...old.map((o) => attempt(o, new Date(now - 91 * DAY))),
      ...recent.map((r) => attempt(r, new Date(now - 89 * DAY))),
    ]);
    await tables.logs.insert([
      ...old.map((o) => log(o, new Date(now - 31 * DAY))),
      ...recent.map((r) => log(r, new Date(now - 29 * DAY))),
    ]);

    await waitFor(
      async () =>
        (await tables.attempts.findByMessageIds(old)).length === 0 &&
        (await tables.logs.findByMessageIds(old)).length === 0,
      { description: 'the scheduled purge to remove the old rows', timeoutMs: 30_000 },
    );

    expect((await tables.attempts.findByMessageIds(recent)).map((a) => a.messageId).sort()).toEqual(recent);
    expect((await tables.logs.findByMessageIds(recent)).map((l) => l.messageId).sort()).toEqual(recent);
    await waitFor(() => writer.counters.purgedLogs >= old.length, { description: 'the purge to be counted' });
    expect(writer.counters).toMatchObject({
      purgedAttempts: old.length,
      purgedLogs: old.length,
      failedPurges: 0,
    });
    expect((await writer.readiness()).body).toMatchObject({
      info: { 'retention-purge': { status: 'up', lease: 'active' } },
    });
  });
});
