import { MessageLimits } from '@smartlink/common';
import { waitFor } from '@smartlink/testing';
import type { DataSource } from 'typeorm';
import {
  MessageDirection,
  MessageEntity,
  MessageStatus,
  MessageStore,
  type FailedAttemptUpdate,
  type NewMessage,
} from '../src';
import { openRmDataSource } from '../src/lib/data-source/open-rm-data-source';
import { rmSqlDialectOf } from '../src/lib/sql/create-rm-sql-dialect';
import type { RmSqlDialect } from '../src/lib/sql/rm-sql-dialect';
import {
  T0,
  TEST_DATABASES,
  at,
  emptyTables,
  newMessage,
  within,
  type TestDatabase,
} from './support/test-databases';

const UNICODE = 'ação 日本 😀 — Ωμέγα';

describe.each(TEST_DATABASES)('MessageStore on $name', ({ name, create }) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: MessageStore;

  beforeAll(async () => {
    database = await create();
    dataSource = await openRmDataSource(database.settings);
    store = new MessageStore(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.dispose();
  });

  beforeEach(() => emptyTables(dataSource));

  describe('insertIgnoringDuplicates', () => {
    it('round-trips every column, Unicode text, nulls and millisecond dates', async () => {
      const full: NewMessage = {
        id: 'a1b2c3d4-0000-4000-8000-000000000001',
        direction: MessageDirection.Upstream,
        command: 'Folha.Ação',
        audience: `audiência ${UNICODE}`,
        tenantId: 'tenant-日本',
        correlatedId: 'corr-1',
        data: `{"nome":"${UNICODE}","big":"${'x'.repeat(10_000)}"}`,
        status: MessageStatus.WaitingRetry,
        attempts: 3,
        nextAttemptAt: new Date('2025-01-02T03:04:05.678Z'),
        createdAt: new Date('2024-12-31T23:59:59.999Z'),
        updatedAt: new Date('2025-01-01T00:00:00.001Z'),
        lastError: `erro: ${UNICODE}`,
      };
      const sparse = newMessage('sparse', { nextAttemptAt: null });

      expect(await store.insertIgnoringDuplicates([full, sparse])).toEqual([full.id, 'sparse']);

      const found = await store.findByIds([full.id, 'sparse']);
      const byId = new Map(found.map((m) => [m.id, m]));
      expect(byId.get(full.id)).toEqual(Object.assign(new MessageEntity(), { ...full, attemptsBase: 0 }));
      expect(byId.get('sparse')).toEqual(
        Object.assign(new MessageEntity(), {
          ...sparse,
          audience: null,
          tenantId: null,
          correlatedId: null,
          attempts: 0,
          attemptsBase: 0,
          nextAttemptAt: null,
          updatedAt: sparse.createdAt,
          lastError: null,
        }),
      );
    });

    it('stores the longest id, tenant, correlation id, command and audience the cloud contract accepts', async () => {
      const longest = newMessage('i'.repeat(MessageLimits.MESSAGE_ID), {
        command: 'c'.repeat(MessageLimits.COMMAND),
        audience: 'a'.repeat(MessageLimits.AUDIENCE),
        tenantId: 't'.repeat(MessageLimits.TENANT_ID),
        correlatedId: 'r'.repeat(MessageLimits.CORRELATED_ID),
      });

      expect(await store.insertIgnoringDuplicates([longest])).toEqual([longest.id]);
      expect(await store.findByIds([longest.id])).toEqual([expect.objectContaining(longest)]);
    });

    it('skips ids stored already or repeated in the batch, and reports only the rows written', async () => {
      await store.insertIgnoringDuplicates([newMessage('m1', { data: 'first' })]);

      const written = await store.insertIgnoringDuplicates([
        newMessage('m1', { data: 'redelivered' }),
        newMessage('m2', { data: 'first' }),
        newMessage('m2', { data: 'repeated in batch' }),
      ]);

      expect(written).toEqual(['m2']);
      const found = await store.findByIds(['m1', 'm2']);
      expect(found.map((m) => [m.id, m.data]).sort()).toEqual([
        ['m1', 'first'],
        ['m2', 'first'],
      ]);
    });

    it('reads the origins of stored messages, direction and command, for ids stored or not', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('down', { command: 'Folha.Ação' }),
        newMessage('up', { direction: MessageDirection.Upstream, command: 'DemoPong' }),
      ]);

      const origins = await store.findOrigins(['up', 'down', 'absent', 'down']);

      expect(origins.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: 'down', direction: MessageDirection.Downstream, command: 'Folha.Ação' },
        { id: 'up', direction: MessageDirection.Upstream, command: 'DemoPong' },
      ]);
    });

    it('splits a batch over several statements when the parameter limit demands it', async () => {
      const dialect = smallBatches(rmSqlDialectOf(dataSource.options), 2);
      const inserts = jest.spyOn(dialect, 'insertMessages');
      const deletes = jest.spyOn(dialect, 'deleteMessages');
      const small = new MessageStore(dataSource, dialect);
      const ids = ['s1', 's2', 's3', 's4', 's5'];

      expect(await small.insertIgnoringDuplicates(ids.map((id) => newMessage(id)))).toEqual(ids);
      expect(await small.deleteSucceeded(ids)).toBe(5);
      expect(inserts).toHaveBeenCalledTimes(3);
      expect(deletes).toHaveBeenCalledTimes(3);
    });
  });

  describe('claimDue', () => {
    beforeEach(async () => {
      await store.insertIgnoringDuplicates([
        newMessage('due-retry-oldest', { status: MessageStatus.WaitingRetry, nextAttemptAt: at(-3_000) }),
        newMessage('due-pending', { status: MessageStatus.Pending, nextAttemptAt: at(-2_000) }),
        newMessage('due-exactly-now', { status: MessageStatus.WaitingRetry, nextAttemptAt: T0 }),
        newMessage('retry-in-1ms', { status: MessageStatus.WaitingRetry, nextAttemptAt: at(1) }),
        newMessage('pending-unscheduled', { status: MessageStatus.Pending, nextAttemptAt: null }),
        newMessage('dispatched', { status: MessageStatus.Dispatched, nextAttemptAt: at(-9_000) }),
        newMessage('dead', { status: MessageStatus.Dead, nextAttemptAt: at(-9_000) }),
      ]);
    });

    it('returns only due rows, oldest first, marked dispatched at now', async () => {
      const now = at(0);
      const claimed = await store.claimDue({ now, limit: 100 });

      expect(claimed.map((m) => m.id)).toEqual(['due-retry-oldest', 'due-pending', 'due-exactly-now']);
      expect(
        claimed.every(
          (m) => m.status === MessageStatus.Dispatched && m.updatedAt.getTime() === now.getTime(),
        ),
      ).toBe(true);
      const stored = await store.findByIds(claimed.map((m) => m.id));
      expect(stored.map((m) => m.status)).toEqual([1, 1, 1]);
      expect(await store.claimDue({ now, limit: 100 })).toEqual([]);
    });

    it('takes at most limit rows, the oldest due', async () => {
      expect((await store.claimDue({ now: T0, limit: 2 })).map((m) => m.id)).toEqual([
        'due-retry-oldest',
        'due-pending',
      ]);
      expect((await store.claimDue({ now: T0, limit: 2 })).map((m) => m.id)).toEqual(['due-exactly-now']);
    });

    it('returns complete rows, like a read', async () => {
      const [claimed] = await store.claimDue({ now: T0, limit: 1 });
      const [read] = await store.findByIds(['due-retry-oldest']);
      expect(claimed).toEqual(read);
      expect(claimed).toBeInstanceOf(MessageEntity);
    });

    it('never gives two concurrent claimers the same row, and together they take every due row', async () => {
      await emptyTables(dataSource);
      const ids = Array.from({ length: 200 }, (_, i) => `c${String(i).padStart(3, '0')}`);
      await store.insertIgnoringDuplicates(ids.map((id, i) => newMessage(id, { nextAttemptAt: at(-i) })));
      const other = await openRmDataSource(database.settings);
      try {
        const claimAll = async (claimer: MessageStore) => {
          const taken: string[] = [];
          for (;;) {
            const batch = await claimer.claimDue({ now: T0, limit: 7 });
            if (batch.length === 0) return taken;
            taken.push(...batch.map((m) => m.id));
          }
        };
        const [first, second] = await Promise.all([claimAll(store), claimAll(new MessageStore(other))]);

        expect(first.length).toBeGreaterThan(0);
        expect(second.length).toBeGreaterThan(0);
        expect(first.filter((id) => second.includes(id))).toEqual([]);
        expect([...first, ...second].sort()).toEqual(ids);
      } finally {
        await other.destroy();
      }
    });

    if (name === 'postgres') {
      it('skips rows another claimer holds instead of waiting for them', async () => {
        const holder = dataSource.createQueryRunner();
        const other = await openRmDataSource(database.settings);
        try {
          await holder.startTransaction();
          const hold = rmSqlDialectOf(dataSource.options).claimDue({ now: T0, limit: 2 });
          const held = await holder.query(hold.sql, [...hold.parameters], true);
          expect(held.records.map((r: { ID: string }) => r.ID).sort()).toEqual([
            'due-pending',
            'due-retry-oldest',
          ]);

          const claimed = await within(
            5_000,
            new MessageStore(other).claimDue({ now: T0, limit: 10 }),
            'claim',
          );
          expect(claimed.map((m) => m.id)).toEqual(['due-exactly-now']);

          await holder.rollbackTransaction();
          const released = await new MessageStore(other).claimDue({ now: T0, limit: 10 });
          expect(released.map((m) => m.id)).toEqual(['due-retry-oldest', 'due-pending']);
        } finally {
          if (holder.isTransactionActive) await holder.rollbackTransaction();
          await holder.release();
          await other.destroy();
        }
      });
    }
  });

  describe('claimTimedOut', () => {
    it('takes dispatched rows older than the cutoff, renewing DATAATUALIZACAO so nobody else takes them', async () => {
      await store.insertIgnoringDuplicates([
        // A first dispatch has no DATATENTATIVAEXEC; a claimed retry keeps its due time, at or before the claim.
        newMessage('lost', { status: MessageStatus.Dispatched, updatedAt: at(-60_001), nextAttemptAt: null }),
        newMessage('lost-too', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-90_000),
          nextAttemptAt: at(-90_000),
        }),
        newMessage('at-cutoff', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-60_000),
          nextAttemptAt: null,
        }),
        newMessage('in-flight', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-1_000),
          nextAttemptAt: null,
        }),
        // Started (its outcome due after its start): the overdue-started sweep's, not this one's.
        newMessage('started', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-90_000),
          nextAttemptAt: at(-50_000),
        }),
        newMessage('old-but-retrying', { status: MessageStatus.WaitingRetry, updatedAt: at(-90_000) }),
        newMessage('never-handed-over', {
          status: MessageStatus.Pending,
          nextAttemptAt: null,
          updatedAt: at(-70_000),
        }),
        newMessage('pending-just-stored', {
          status: MessageStatus.Pending,
          nextAttemptAt: null,
          updatedAt: at(-1_000),
        }),
        newMessage('pending-and-due', {
          status: MessageStatus.Pending,
          nextAttemptAt: at(-80_000),
          updatedAt: at(-80_000),
        }),
      ]);

      const claimed = await store.claimTimedOut({ now: T0, dispatchedBefore: at(-60_000), limit: 10 });

      // A pending row with DATATENTATIVAEXEC (a redrive) is claimDue's; without, it was never handed over.
      expect(claimed.map((m) => m.id).sort()).toEqual(['lost', 'lost-too', 'never-handed-over']);
      expect(claimed.every((m) => m.updatedAt.getTime() === T0.getTime())).toBe(true);
      expect(claimed.find((m) => m.id === 'never-handed-over')?.status).toBe(MessageStatus.Pending);
      expect(await store.claimTimedOut({ now: T0, dispatchedBefore: at(-60_000), limit: 10 })).toEqual([]);
    });

    it('takes at most limit rows', async () => {
      await store.insertIgnoringDuplicates(
        ['x1', 'x2', 'x3'].map((id) =>
          newMessage(id, { status: MessageStatus.Dispatched, updatedAt: at(-99_000), nextAttemptAt: null }),
        ),
      );
      expect(await store.claimTimedOut({ now: T0, dispatchedBefore: at(-1), limit: 2 })).toHaveLength(2);
      expect(await store.claimTimedOut({ now: T0, dispatchedBefore: at(-1), limit: 2 })).toHaveLength(1);
    });
  });

  describe('recordFailedAttempt', () => {
    it('schedules the retry and keeps the error', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('m1', { status: MessageStatus.Dispatched, attempts: 1 }),
      ]);

      const applied = await store.recordFailedAttempt({
        id: 'm1',
        attempt: 2,
        status: MessageStatus.WaitingRetry,
        nextAttemptAt: at(30_000),
        lastError: `timeout ${UNICODE}`,
        now: at(5),
      });

      expect(applied).toBe(true);
      const [stored] = await store.findByIds(['m1']);
      expect(stored).toMatchObject({
        status: MessageStatus.WaitingRetry,
        attempts: 2,
        nextAttemptAt: at(30_000),
        lastError: `timeout ${UNICODE}`,
        updatedAt: at(5),
      });
    });

    it('ignores a redelivered or older attempt, and a message that is gone', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('m1', { status: MessageStatus.Dead, attempts: 5, lastError: 'final' }),
      ]);
      const stale = {
        id: 'm1',
        attempt: 5,
        status: MessageStatus.WaitingRetry,
        nextAttemptAt: T0,
        lastError: 'late',
        now: T0,
      } as const;

      expect(await store.recordFailedAttempt(stale)).toBe(false);
      expect(await store.recordFailedAttempt({ ...stale, attempt: 4 })).toBe(false);
      expect(await store.recordFailedAttempt({ ...stale, id: 'gone', attempt: 9 })).toBe(false);
      const [stored] = await store.findByIds(['m1']);
      expect(stored).toMatchObject({ status: MessageStatus.Dead, attempts: 5, lastError: 'final' });
    });
  });

  describe('recordFailedAttempts', () => {
    const failure = (id: string, attempt: number, overrides: Partial<FailedAttemptUpdate> = {}) =>
      ({
        id,
        attempt,
        status: MessageStatus.WaitingRetry,
        nextAttemptAt: null,
        lastError: `attempt ${attempt} of ${id}: ${UNICODE}`,
        now: at(5),
        ...overrides,
      }) satisfies FailedAttemptUpdate;

    it('records the failures of several messages at once, each with its own status, error and times', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('retry', { status: MessageStatus.Dispatched }),
        newMessage('fatal', { status: MessageStatus.Dispatched, attempts: 1 }),
        newMessage('untouched', { status: MessageStatus.Dispatched }),
      ]);

      const changed = await store.recordFailedAttempts([
        failure('retry', 1),
        failure('fatal', 2, { status: MessageStatus.Dead, nextAttemptAt: at(60_000), now: at(7) }),
      ]);

      expect(changed).toEqual(['fatal', 'retry']);
      const byId = new Map((await store.findByIds(['retry', 'fatal', 'untouched'])).map((m) => [m.id, m]));
      expect(byId.get('retry')).toMatchObject({
        status: MessageStatus.WaitingRetry,
        attempts: 1,
        nextAttemptAt: null,
        lastError: `attempt 1 of retry: ${UNICODE}`,
        updatedAt: at(5),
      });
      expect(byId.get('fatal')).toMatchObject({
        status: MessageStatus.Dead,
        attempts: 2,
        nextAttemptAt: at(60_000),
        lastError: `attempt 2 of fatal: ${UNICODE}`,
        updatedAt: at(7),
      });
      expect(byId.get('untouched')).toMatchObject({ status: MessageStatus.Dispatched, attempts: 0 });
    });

    it('is idempotent: a redelivered, older or unknown attempt changes nothing', async () => {
      await store.insertIgnoringDuplicates([newMessage('m1', { status: MessageStatus.Dispatched })]);
      expect(await store.recordFailedAttempts([failure('m1', 2)])).toEqual(['m1']);

      expect(
        await store.recordFailedAttempts([
          failure('m1', 2, { lastError: 'again' }),
          failure('m1', 1, { lastError: 'older' }),
          failure('gone', 1),
        ]),
      ).toEqual([]);
      const [stored] = await store.findByIds(['m1']);
      expect(stored).toMatchObject({ attempts: 2, lastError: `attempt 2 of m1: ${UNICODE}` });
    });

    it('keeps the latest attempt when one message is named twice in a batch', async () => {
      await store.insertIgnoringDuplicates([newMessage('m1', { status: MessageStatus.Dispatched })]);

      expect(
        await store.recordFailedAttempts([
          failure('m1', 3, { status: MessageStatus.Dead }),
          failure('m1', 2),
        ]),
      ).toEqual(['m1']);
      const [stored] = await store.findByIds(['m1']);
      expect(stored).toMatchObject({ status: MessageStatus.Dead, attempts: 3 });
    });

    it('splits a batch over several statements when the parameter limit demands it', async () => {
      const ids = ['s1', 's2', 's3', 's4', 's5'];
      await store.insertIgnoringDuplicates(
        ids.map((id) => newMessage(id, { status: MessageStatus.Dispatched })),
      );
      const dialect = smallBatches(rmSqlDialectOf(dataSource.options), 2);
      const updates = jest.spyOn(dialect, 'recordFailedAttempts');

      expect(
        await new MessageStore(dataSource, dialect).recordFailedAttempts(ids.map((id) => failure(id, 1))),
      ).toEqual(ids);
      expect(updates).toHaveBeenCalledTimes(3);
    });
  });

  describe('markDispatched', () => {
    it('marks pending and waiting-retry rows dispatched at now and returns their ids', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('pending', { nextAttemptAt: null }),
        newMessage('waiting', { status: MessageStatus.WaitingRetry, attempts: 1 }),
      ]);

      const changed = await store.markDispatched(
        [
          { id: 'pending', attempt: 1 },
          { id: 'waiting', attempt: 2 },
        ],
        at(9),
      );

      expect(changed).toEqual(['pending', 'waiting']);
      const rows = await store.findByIds(['pending', 'waiting']);
      expect(rows.map((m) => [m.status, m.updatedAt])).toEqual([
        [MessageStatus.Dispatched, at(9)],
        [MessageStatus.Dispatched, at(9)],
      ]);
    });

    it('never overwrites an outcome recorded meanwhile, nor a dispatched, dead or missing row', async () => {
      await store.insertIgnoringDuplicates([
        // The segment was fast: attempt 1 failed and was recorded before the dispatch was.
        newMessage('failed-already', { status: MessageStatus.WaitingRetry, attempts: 1 }),
        newMessage('dispatched', { status: MessageStatus.Dispatched, updatedAt: at(1) }),
        newMessage('dead', { status: MessageStatus.Dead, attempts: 1 }),
      ]);

      const changed = await store.markDispatched(
        ['failed-already', 'dispatched', 'dead', 'gone'].map((id) => ({ id, attempt: 1 })),
        at(9),
      );

      expect(changed).toEqual([]);
      const byId = new Map(
        (await store.findByIds(['failed-already', 'dispatched', 'dead'])).map((m) => [m.id, m]),
      );
      expect(byId.get('failed-already')?.status).toBe(MessageStatus.WaitingRetry);
      expect(byId.get('dispatched')?.updatedAt).toEqual(at(1));
      expect(byId.get('dead')?.status).toBe(MessageStatus.Dead);
    });

    it('splits a batch over several statements, one attempt number at a time', async () => {
      const ids = ['s1', 's2', 's3', 's4', 's5'];
      await store.insertIgnoringDuplicates([
        ...ids.map((id) => newMessage(id)),
        newMessage('retry', { status: MessageStatus.WaitingRetry, attempts: 2 }),
      ]);
      // Room for 2 ids beside the two other parameters.
      const dialect = smallBatches(rmSqlDialectOf(dataSource.options), 4);
      const marks = jest.spyOn(dialect, 'markDispatched');

      const changed = await new MessageStore(dataSource, dialect).markDispatched(
        [...ids.map((id) => ({ id, attempt: 1 })), { id: 'retry', attempt: 3 }],
        T0,
      );

      expect(changed).toEqual(['retry', ...ids]);
      expect(marks).toHaveBeenCalledTimes(4);
    });
  });

  describe('markStarted', () => {
    it('records the start and the outcome due time of the attempt the row is at, pending or dispatched', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('dispatched', {
          status: MessageStatus.Dispatched,
          nextAttemptAt: null,
          updatedAt: at(-5),
        }),
        // The marker overtook the dispatch record: still pending.
        newMessage('pending', { nextAttemptAt: null }),
        newMessage('retry-2', { status: MessageStatus.Dispatched, attempts: 1, nextAttemptAt: null }),
      ]);

      const changed = await store.markStarted([
        { id: 'retry-2', attempt: 2, startedAt: at(2), outcomeDueBy: at(40_002) },
        { id: 'dispatched', attempt: 1, startedAt: at(1), outcomeDueBy: at(40_001) },
        { id: 'pending', attempt: 1, startedAt: at(3), outcomeDueBy: at(40_003) },
      ]);

      expect(changed).toEqual(['dispatched', 'pending', 'retry-2']);
      const rows = await store.findByIds(changed);
      expect(rows.map((m) => [m.id, m.status, m.updatedAt, m.nextAttemptAt])).toEqual([
        ['dispatched', MessageStatus.Dispatched, at(1), at(40_001)],
        ['pending', MessageStatus.Dispatched, at(3), at(40_003)],
        ['retry-2', MessageStatus.Dispatched, at(2), at(40_002)],
      ]);
    });

    it('changes nothing for an attempt that moved on, a finished or dead row, or a missing one', async () => {
      await store.insertIgnoringDuplicates([
        // Attempt 1 failed and was recorded before its (late) marker arrived.
        newMessage('failed-already', {
          status: MessageStatus.WaitingRetry,
          attempts: 1,
          nextAttemptAt: at(9),
        }),
        newMessage('dead', { status: MessageStatus.Dead, attempts: 1, nextAttemptAt: null }),
        newMessage('older-marker', { status: MessageStatus.Dispatched, attempts: 2, nextAttemptAt: null }),
      ]);

      const changed = await store.markStarted(
        ['failed-already', 'dead', 'older-marker', 'gone'].map((id) => ({
          id,
          attempt: 1,
          startedAt: at(1),
          outcomeDueBy: at(40_001),
        })),
      );

      expect(changed).toEqual([]);
      const byId = new Map(
        (await store.findByIds(['failed-already', 'dead', 'older-marker'])).map((m) => [m.id, m]),
      );
      expect(byId.get('failed-already')).toMatchObject({
        status: MessageStatus.WaitingRetry,
        nextAttemptAt: at(9),
      });
      expect(byId.get('dead')).toMatchObject({ status: MessageStatus.Dead, nextAttemptAt: null });
      expect(byId.get('older-marker')).toMatchObject({
        status: MessageStatus.Dispatched,
        nextAttemptAt: null,
      });
    });

    it('applies, of several markers of one message, only the one at the attempt after TENTATIVAS', async () => {
      await store.insertIgnoringDuplicates([
        // Attempt 2 dispatched: the markers of attempts 1 (late) and 3 (not yet possible) must not apply.
        newMessage('at-2', { status: MessageStatus.Dispatched, attempts: 1, nextAttemptAt: null }),
        newMessage('at-1', { nextAttemptAt: null }),
        newMessage('none', { status: MessageStatus.Dispatched, attempts: 4, nextAttemptAt: null }),
      ]);
      const marker = (id: string, attempt: number) => ({
        id,
        attempt,
        startedAt: at(attempt),
        outcomeDueBy: at(40_000 + attempt),
      });

      const changed = await store.markStarted([
        marker('at-2', 3),
        marker('at-1', 2),
        marker('none', 2),
        marker('at-2', 1),
        marker('at-1', 1),
        marker('at-2', 2),
        marker('none', 3),
      ]);

      expect(changed).toEqual(['at-1', 'at-2']);
      const rows = await store.findByIds(['at-1', 'at-2', 'none']);
      expect(
        rows
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((m) => [m.id, m.status, m.updatedAt, m.nextAttemptAt]),
      ).toEqual([
        ['at-1', MessageStatus.Dispatched, at(1), at(40_001)],
        ['at-2', MessageStatus.Dispatched, at(2), at(40_002)],
        ['none', MessageStatus.Dispatched, at(-60_000), null],
      ]);
    });

    it('keeps the later of two markers of the same attempt, and reports the message once', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('m1', { status: MessageStatus.Dispatched, nextAttemptAt: null }),
      ]);

      const changed = await store.markStarted([
        { id: 'm1', attempt: 1, startedAt: at(1), outcomeDueBy: at(40_001) },
        { id: 'm1', attempt: 1, startedAt: at(5), outcomeDueBy: at(40_005) },
      ]);

      expect(changed).toEqual(['m1']);
      expect(await store.findByIds(['m1'])).toEqual([
        expect.objectContaining({
          status: MessageStatus.Dispatched,
          updatedAt: at(5),
          nextAttemptAt: at(40_005),
        }),
      ]);
    });

    it('splits markers over statements at the parameter limit, with the same result as one statement', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('s1', { status: MessageStatus.Dispatched, nextAttemptAt: null }),
        newMessage('s2', { status: MessageStatus.Dispatched, attempts: 1, nextAttemptAt: null }),
        newMessage('s3', { status: MessageStatus.WaitingRetry, attempts: 1, nextAttemptAt: at(9) }),
        newMessage('s4', { nextAttemptAt: null }),
      ]);
      const dialect = smallBatches(rmSqlDialectOf(dataSource.options), 2);
      const statements = jest.spyOn(dialect, 'markStarted');
      const marker = (id: string, attempt: number) => ({
        id,
        attempt,
        startedAt: at(attempt * 10),
        outcomeDueBy: at(40_000 + attempt),
      });

      // In id order: (s1,1) (s2,1) | (s2,2) (s3,2) | (s4,1): s2's two markers fall into two statements.
      const changed = await new MessageStore(dataSource, dialect).markStarted([
        marker('s4', 1),
        marker('s3', 2),
        marker('s2', 2),
        marker('s2', 1),
        marker('s1', 1),
      ]);

      expect(statements).toHaveBeenCalledTimes(3);
      expect(changed).toEqual(['s1', 's2', 's4']);
      const byId = new Map((await store.findByIds(['s1', 's2', 's3', 's4'])).map((m) => [m.id, m]));
      expect(byId.get('s1')).toMatchObject({ updatedAt: at(10), nextAttemptAt: at(40_001) });
      expect(byId.get('s2')).toMatchObject({ updatedAt: at(20), nextAttemptAt: at(40_002) });
      // At the right attempt but waiting retry: the guard takes only pending or dispatched rows.
      expect(byId.get('s3')).toMatchObject({ status: MessageStatus.WaitingRetry, nextAttemptAt: at(9) });
      expect(byId.get('s4')).toMatchObject({ status: MessageStatus.Dispatched, nextAttemptAt: at(40_001) });
    });

    it('applies overlapping batches from several callers at once without a deadlock', async () => {
      const ids = Array.from({ length: 200 }, (_, i) => `c${String(i).padStart(3, '0')}`);
      await store.insertIgnoringDuplicates(
        ids.map((id) => newMessage(id, { status: MessageStatus.Dispatched, nextAttemptAt: null })),
      );
      const markers = ids.map((id) => ({ id, attempt: 1, startedAt: at(1), outcomeDueBy: at(40_001) }));
      // Each caller its own connection from the pool, each batch in another order before the store sorts it.
      const callers = Array.from({ length: 4 }, (_, k) =>
        store.markStarted(k % 2 === 0 ? [...markers].reverse() : markers.filter((_, i) => i % (k + 1) === 0)),
      );

      const results = await Promise.all(callers);

      expect(results[0]).toEqual(ids);
      expect(await store.findByIds(ids)).toEqual(
        ids.map(() => expect.objectContaining({ updatedAt: at(1), nextAttemptAt: at(40_001) })),
      );
    });

    if (name === 'postgres') {
      it('locks its rows in ID order whatever order a batch comes in: crossing batches wait, never deadlock', async () => {
        const ids = Array.from({ length: 40 }, (_, i) => `d${String(i).padStart(2, '0')}`);
        await store.insertIgnoringDuplicates(
          ids.map((id) => newMessage(id, { status: MessageStatus.Dispatched, nextAttemptAt: null })),
        );
        const markers = ids.map((id) => ({ id, attempt: 1, startedAt: at(1), outcomeDueBy: at(40_001) }));
        const dialect = rmSqlDialectOf(dataSource.options);
        const holder = dataSource.createQueryRunner();
        const runners = [dataSource.createQueryRunner(), dataSource.createQueryRunner()];
        try {
          // A row in the middle held elsewhere: statements locking in their own input order would each hold one side
          // of it when it is released, and then wait for each other.
          await holder.startTransaction();
          await holder.query('SELECT 1 FROM "GTOTVSLINKMESSAGE" WHERE "ID" = $1 FOR UPDATE', ['d20']);
          // Straight through the dialect: the store would sort the batches first.
          const applied = [markers, [...markers].reverse()].map(async (batch, i) => {
            const statement = dialect.markStarted(batch);
            const result = await runners[i].query(statement.sql, [...statement.parameters], true);
            return (result.records as { ID: string }[]).map((r) => r.ID).sort();
          });
          await waitFor(
            async () => {
              const [{ waiting }] = await dataSource.query(
                "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
              );
              return waiting >= 2;
            },
            { description: 'both statements waiting for the held row', timeoutMs: 10_000 },
          );
          await holder.commitTransaction();

          // A deadlock would fail one of them (after deadlock_timeout, 1 s by default).
          expect(await within(10_000, Promise.all(applied), 'crossing batches')).toEqual([ids, ids]);
        } finally {
          if (holder.isTransactionActive) await holder.rollbackTransaction();
          for (const runner of [holder, ...runners]) await runner.release();
        }
      });
    }
  });

  describe('claimOverdueStarted', () => {
    beforeEach(async () => {
      await store.insertIgnoringDuplicates([
        newMessage('overdue-old', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-90_000),
          nextAttemptAt: at(-50_000),
        }),
        newMessage('overdue', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-60_000),
          nextAttemptAt: at(-1),
        }),
        newMessage('due-now', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-40_000),
          nextAttemptAt: T0,
        }),
        newMessage('running', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-1_000),
          nextAttemptAt: at(39_000),
        }),
        newMessage('never-started', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-90_000),
          nextAttemptAt: null,
        }),
        // A claimed retry not started yet: its due time is the one it was claimed at, not after its DATAATUALIZACAO.
        newMessage('claimed-retry', {
          status: MessageStatus.Dispatched,
          updatedAt: at(-30_000),
          nextAttemptAt: at(-31_000),
        }),
        newMessage('retry-due', {
          status: MessageStatus.WaitingRetry,
          updatedAt: at(-90_000),
          nextAttemptAt: at(-9),
        }),
      ]);
    });

    it('takes started rows whose outcome is overdue, keeping the start and re-arming the due time', async () => {
      const claimed = await store.claimOverdueStarted({ now: T0, reclaimAt: at(20_000), limit: 10 });

      expect(claimed.map((m) => m.id)).toEqual(['overdue', 'overdue-old']);
      expect(claimed.map((m) => [m.updatedAt, m.nextAttemptAt])).toEqual([
        [at(-60_000), at(20_000)],
        [at(-90_000), at(20_000)],
      ]);
      expect(await store.claimOverdueStarted({ now: T0, reclaimAt: at(20_000), limit: 10 })).toEqual([]);
      // Not claimTimedOut's either: the plain dispatch timeout is for attempts that never started.
      const timedOut = await store.claimTimedOut({ now: T0, dispatchedBefore: at(-10_000), limit: 10 });
      expect(timedOut.map((m) => m.id)).toEqual(['claimed-retry', 'never-started']);
    });

    it('takes at most limit rows, the longest overdue first', async () => {
      const first = await store.claimOverdueStarted({ now: T0, reclaimAt: at(20_000), limit: 1 });
      expect(first.map((m) => m.id)).toEqual(['overdue-old']);
      // Re-armed rows come back once their new due time passed (a sweeper that crashed before recording them).
      const again = await store.claimOverdueStarted({ now: at(20_001), reclaimAt: at(40_000), limit: 10 });
      expect(again.map((m) => m.id)).toEqual(['due-now', 'overdue', 'overdue-old']);
    });
  });

  describe('dispatching leaves a row not started', () => {
    it('claimDue keeps the due time (at or before the claim) and markDispatched clears it', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('due', { status: MessageStatus.WaitingRetry, attempts: 1, nextAttemptAt: at(-1) }),
        newMessage('first', { nextAttemptAt: at(5) }),
      ]);

      const claimed = await store.claimDue({ now: T0, limit: 10 });
      expect(claimed.map((m) => [m.id, m.nextAttemptAt])).toEqual([['due', at(-1)]]);
      expect(await store.markDispatched([{ id: 'first', attempt: 1 }], at(1))).toEqual(['first']);

      const rows = await store.findByIds(['due', 'first']);
      expect(rows.map((m) => [m.id, m.status, m.nextAttemptAt])).toEqual([
        ['due', MessageStatus.Dispatched, at(-1)],
        ['first', MessageStatus.Dispatched, null],
      ]);
      // Neither counts as started: no overdue-started claim takes them, the dispatch timeout does.
      expect(await store.claimOverdueStarted({ now: at(60_000), reclaimAt: at(90_000), limit: 10 })).toEqual(
        [],
      );
      const timedOut = await store.claimTimedOut({
        now: at(60_000),
        dispatchedBefore: at(59_000),
        limit: 10,
      });
      expect(timedOut.map((m) => m.id).sort()).toEqual(['due', 'first']);
    });
  });

  describe('countUndone', () => {
    it('counts every message that is not dead, whatever its other status', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('pending'),
        newMessage('dispatched', { status: MessageStatus.Dispatched }),
        newMessage('waiting', { status: MessageStatus.WaitingRetry }),
        newMessage('dead', { status: MessageStatus.Dead }),
      ]);
      expect(await store.countUndone()).toBe(3);
      await store.deleteSucceeded(['pending']);
      expect(await store.countUndone()).toBe(2);
    });
  });

  describe('deleteSucceeded', () => {
    it('deletes the given messages only and counts them', async () => {
      await store.insertIgnoringDuplicates(['a', 'b', 'c'].map((id) => newMessage(id)));
      expect(await store.deleteSucceeded(['a', 'c', 'unknown', 'a'])).toBe(2);
      expect((await store.findByIds(['a', 'b', 'c'])).map((m) => m.id)).toEqual(['b']);
      expect(await store.deleteSucceeded([])).toBe(0);
    });
  });

  if (name === 'sqlite') {
    it("stores dates in the UTC text TypeORM's driver uses, so raw comparisons hold", async () => {
      await dataSource.getRepository(MessageEntity).insert(
        Object.assign(new MessageEntity(), {
          ...newMessage('via-repository', { nextAttemptAt: new Date('2025-01-02T03:04:05.678Z') }),
          audience: null,
          tenantId: null,
          correlatedId: null,
          attempts: 0,
          updatedAt: T0,
          lastError: null,
        }),
      );
      await store.insertIgnoringDuplicates([
        newMessage('via-dialect', { nextAttemptAt: new Date('2025-01-02T03:04:05.679Z') }),
      ]);

      const raw: { ID: string; DATATENTATIVAEXEC: string }[] = await dataSource.query(
        'SELECT "ID", "DATATENTATIVAEXEC" FROM "GTOTVSLINKMESSAGE" ORDER BY "ID"',
      );
      expect(raw).toEqual([
        { ID: 'via-dialect', DATATENTATIVAEXEC: '2025-01-02 03:04:05.679' },
        { ID: 'via-repository', DATATENTATIVAEXEC: '2025-01-02 03:04:05.678' },
      ]);
      const claimed = await store.claimDue({ now: new Date('2025-01-02T03:04:05.678Z'), limit: 10 });
      expect(claimed.map((m) => m.id)).toEqual(['via-repository']);
    });
  }
});

/** The real dialect with a tiny batch size, to exercise the store's splitting. */
function smallBatches(dialect: RmSqlDialect, rows: number): RmSqlDialect {
  return Object.create(dialect, { rowsPerStatement: { value: () => rows } }) as RmSqlDialect;
}
