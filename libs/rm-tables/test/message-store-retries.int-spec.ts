import type { DataSource } from 'typeorm';
import { MessageStatus, MessageStore, type MessageEntity, type SettledFailure } from '../src';
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

// The statements the retry scheduler relies on: settling failed attempts, handing claims back, and redrive.

describe.each(TEST_DATABASES)('MessageStore retries on $name', ({ name, create }) => {
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

  const failedAt = (attempts: number, overrides: Parameters<typeof newMessage>[1] = {}) => ({
    status: MessageStatus.WaitingRetry,
    attempts,
    nextAttemptAt: null,
    lastError: `attempt ${attempts} failed`,
    ...overrides,
  });
  const retry = (id: string, attempt: number, due: Date): SettledFailure => ({
    id,
    attempt,
    status: MessageStatus.WaitingRetry,
    nextAttemptAt: due,
    now: T0,
  });
  const dead = (id: string, attempt: number): SettledFailure => ({
    id,
    attempt,
    status: MessageStatus.Dead,
    nextAttemptAt: null,
    now: T0,
  });
  const byId = async (id: string): Promise<MessageEntity | undefined> => (await store.findByIds([id]))[0];

  describe('settleFailedAttempts', () => {
    it('plans retries and dead letters of failed attempts, returning the changed rows', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('retry', failedAt(1)),
        newMessage('exhausted', failedAt(5)),
        newMessage('fatal', failedAt(2, { status: MessageStatus.Dead })),
      ]);

      const changed = await store.settleFailedAttempts([
        retry('retry', 1, at(30_000)),
        dead('exhausted', 5),
        dead('fatal', 2),
      ]);

      expect(changed.map((m) => [m.id, m.status, m.attempts, m.nextAttemptAt, m.updatedAt])).toEqual([
        ['exhausted', MessageStatus.Dead, 5, null, T0],
        ['fatal', MessageStatus.Dead, 2, null, T0],
        ['retry', MessageStatus.WaitingRetry, 1, at(30_000), T0],
      ]);
      // Complete rows, as a read returns them: the caller builds dead letters from them.
      expect(changed.find((m) => m.id === 'fatal')).toEqual(await byId('fatal'));
      expect((await byId('retry'))?.lastError).toBe('attempt 1 failed');
    });

    it('leaves rows that moved on alone: planned, claimed, later attempt, redriven, or gone', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('planned', failedAt(1, { nextAttemptAt: at(5_000) })),
        newMessage('claimed', failedAt(1, { status: MessageStatus.Dispatched, nextAttemptAt: at(-1) })),
        newMessage('later', failedAt(3)),
        newMessage('pending', { status: MessageStatus.Pending, attempts: 0, nextAttemptAt: null }),
      ]);

      const changed = await store.settleFailedAttempts([
        retry('planned', 1, at(60_000)),
        dead('claimed', 1),
        retry('later', 2, at(60_000)),
        retry('pending', 1, at(60_000)),
        dead('gone', 1),
      ]);

      expect(changed).toEqual([]);
      expect((await byId('planned'))?.nextAttemptAt).toEqual(at(5_000));
      expect((await byId('claimed'))?.status).toBe(MessageStatus.Dispatched);
    });

    it('never revives a dead row with a retry decision (a redelivered event judged by a newer policy)', async () => {
      await store.insertIgnoringDuplicates([newMessage('dead', failedAt(4, { status: MessageStatus.Dead }))]);
      expect(await store.settleFailedAttempts([retry('dead', 4, at(1_000))])).toEqual([]);
      expect((await byId('dead'))?.status).toBe(MessageStatus.Dead);
    });

    it('ignores an attempt from before a redrive', async () => {
      await store.insertIgnoringDuplicates([newMessage('old', failedAt(3, { status: MessageStatus.Dead }))]);
      const [redriven] = await store.redriveDead({ ids: ['old'], limit: 10, dueAt: at(1), now: T0 });
      expect(redriven).toMatchObject({ attempts: 3, attemptsBase: 3 });
      expect(await store.settleFailedAttempts([dead('old', 3)])).toEqual([]);
      expect((await byId('old'))?.status).toBe(MessageStatus.WaitingRetry);
    });

    it('splits a batch over several statements when the parameter limit demands it', async () => {
      // Two rows per statement: the parameter limit of a tiny database.
      const dialect = Object.create(rmSqlDialectOf(dataSource.options), {
        rowsPerStatement: { value: () => 2 },
      }) as RmSqlDialect;
      const statements = jest.spyOn(dialect, 'settleFailedAttempts');
      const ids = ['s1', 's2', 's3', 's4', 's5'];
      await store.insertIgnoringDuplicates(ids.map((id) => newMessage(id, failedAt(1))));
      const changed = await new MessageStore(dataSource, dialect).settleFailedAttempts(
        ids.map((id) => retry(id, 1, at(10))),
      );
      expect(changed.map((m) => m.id)).toEqual(ids);
      expect(statements).toHaveBeenCalledTimes(3);
    });
  });

  describe('claimUnplanned', () => {
    it('takes failures nobody planned for longer than the grace, renewing DATAATUALIZACAO', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('lost-plan', failedAt(2, { updatedAt: at(-60_001) })),
        newMessage('fresh-failure', failedAt(2, { updatedAt: at(-1_000) })),
        newMessage('planned', failedAt(2, { updatedAt: at(-90_000), nextAttemptAt: at(10) })),
        newMessage('dead', failedAt(2, { status: MessageStatus.Dead, updatedAt: at(-90_000) })),
      ]);

      const claimed = await store.claimUnplanned({ now: T0, failedBefore: at(-60_000), limit: 10 });

      expect(claimed.map((m) => [m.id, m.attempts, m.lastError, m.updatedAt])).toEqual([
        ['lost-plan', 2, 'attempt 2 failed', T0],
      ]);
      expect(await store.claimUnplanned({ now: T0, failedBefore: at(-60_000), limit: 10 })).toEqual([]);
    });
  });

  describe('releaseClaims', () => {
    it('hands rows of that claim back as due retries, and no others', async () => {
      await store.insertIgnoringDuplicates([
        newMessage('mine', failedAt(1, { nextAttemptAt: at(-10) })),
        newMessage('also-mine', { status: MessageStatus.Pending, nextAttemptAt: at(-5) }),
      ]);
      const claimed = await store.claimDue({ now: T0, limit: 10 });
      expect(claimed).toHaveLength(2);
      await store.insertIgnoringDuplicates([
        newMessage('other-claim', { status: MessageStatus.Dispatched, updatedAt: at(-1) }),
      ]);

      const released = await store.releaseClaims({
        ids: ['mine', 'also-mine', 'other-claim', 'gone'],
        claimedAt: T0,
        now: at(100),
      });

      expect(released).toEqual(['also-mine', 'mine']);
      expect((await byId('other-claim'))?.status).toBe(MessageStatus.Dispatched);
      const again = await store.claimDue({ now: at(200), limit: 10 });
      expect(again.map((m) => m.id)).toEqual(['mine', 'also-mine']);
      expect(again.map((m) => m.attempts)).toEqual([1, 0]);
    });
  });

  describe('redriveDead', () => {
    beforeEach(async () => {
      await store.insertIgnoringDuplicates([
        newMessage('a-old', failedAt(5, { status: MessageStatus.Dead, command: 'A', updatedAt: at(-3_000) })),
        newMessage('a-new', failedAt(1, { status: MessageStatus.Dead, command: 'A', updatedAt: at(-1_000) })),
        newMessage('b', failedAt(2, { status: MessageStatus.Dead, command: 'B', updatedAt: at(-2_000) })),
        newMessage('a-alive', failedAt(1, { command: 'A', nextAttemptAt: at(5) })),
      ]);
    });

    it('puts a dead message back: waiting retry, due, with a fresh budget and its attempt count kept', async () => {
      const [row] = await store.redriveDead({ ids: ['a-old'], limit: 10, dueAt: at(500), now: T0 });

      expect(row).toMatchObject({
        id: 'a-old',
        status: MessageStatus.WaitingRetry,
        attempts: 5,
        attemptsBase: 5,
        nextAttemptAt: at(500),
        updatedAt: T0,
        lastError: 'attempt 5 failed',
      });
      expect(row).toEqual(await byId('a-old'));
      // The due loop takes it like any retry; the next attempt is the 6th.
      const claimed = await store.claimDue({ now: at(500), limit: 10 });
      expect(claimed.find((m) => m.id === 'a-old')).toMatchObject({ attempts: 5, attemptsBase: 5 });
    });

    it('takes dead messages of one command only, oldest death first, at most limit', async () => {
      const first = await store.redriveDead({ command: 'A', limit: 1, dueAt: T0, now: T0 });
      const second = await store.redriveDead({ command: 'A', limit: 1, dueAt: T0, now: T0 });
      const none = await store.redriveDead({ command: 'A', limit: 1, dueAt: T0, now: T0 });
      expect([first, second, none].map((rows) => rows.map((m) => m.id))).toEqual([['a-old'], ['a-new'], []]);
      expect((await byId('b'))?.status).toBe(MessageStatus.Dead);
      expect((await byId('a-alive'))?.attemptsBase).toBe(0);
    });

    it('takes the messages that died in a time window [from, before)', async () => {
      const rows = await store.redriveDead({
        deadFrom: at(-3_000),
        deadBefore: at(-1_000),
        limit: 10,
        dueAt: T0,
        now: T0,
      });
      expect(rows.map((m) => m.id)).toEqual(['a-old', 'b']);
    });

    it('combines filters, and never takes a message that is not dead', async () => {
      expect(
        (
          await store.redriveDead({
            ids: ['a-new', 'b', 'a-alive'],
            command: 'A',
            limit: 10,
            dueAt: T0,
            now: T0,
          })
        ).map((m) => m.id),
      ).toEqual(['a-new']);
      expect(await store.redriveDead({ ids: ['a-alive'], limit: 10, dueAt: T0, now: T0 })).toEqual([]);
    });

    it('never gives two concurrent redrives the same message', async () => {
      await emptyTables(dataSource);
      const ids = Array.from({ length: 120 }, (_, i) => `d${String(i).padStart(3, '0')}`);
      await store.insertIgnoringDuplicates(
        ids.map((id, i) => newMessage(id, failedAt(2, { status: MessageStatus.Dead, updatedAt: at(-i) }))),
      );
      const other = await openRmDataSource(database.settings);
      try {
        const redriveAll = async (by: MessageStore) => {
          const taken: string[] = [];
          for (;;) {
            const rows = await by.redriveDead({ deadBefore: at(1), limit: 7, dueAt: T0, now: T0 });
            if (rows.length === 0) return taken;
            taken.push(...rows.map((m) => m.id));
          }
        };
        const [first, second] = await Promise.all([redriveAll(store), redriveAll(new MessageStore(other))]);
        expect(first.filter((id) => second.includes(id))).toEqual([]);
        expect([...first, ...second].sort()).toEqual(ids);
      } finally {
        await other.destroy();
      }
    });

    if (name === 'postgres') {
      it('skips dead messages another redrive holds instead of waiting for them', async () => {
        const holder = dataSource.createQueryRunner();
        try {
          await holder.startTransaction();
          const hold = rmSqlDialectOf(dataSource.options).redriveDead({
            ids: ['a-old'],
            limit: 1,
            dueAt: T0,
            now: T0,
          });
          await holder.query(hold.sql, [...hold.parameters]);
          const rows = await within(
            5_000,
            store.redriveDead({ command: 'A', limit: 10, dueAt: T0, now: T0 }),
            'redrive',
          );
          expect(rows.map((m) => m.id)).toEqual(['a-new']);
        } finally {
          if (holder.isTransactionActive) await holder.rollbackTransaction();
          await holder.release();
        }
      });
    }

    it('refuses a redrive without a filter, and more ids than one statement takes', async () => {
      await expect(store.redriveDead({ limit: 1, dueAt: T0, now: T0 })).rejects.toThrow(
        /at least one filter/,
      );
      const ids = Array.from({ length: store.maxRedriveIds + 1 }, (_, i) => `x${i}`);
      await expect(store.redriveDead({ ids, limit: 1, dueAt: T0, now: T0 })).rejects.toThrow(RangeError);
    });
  });
});
