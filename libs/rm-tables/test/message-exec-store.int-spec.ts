import type { DataSource } from 'typeorm';
import {
  AttemptStatus,
  DATA_OF_MESSAGE,
  LogStore,
  LogType,
  MessageDirection,
  MessageExecEntity,
  MessageExecStore,
  MessageStatus,
  MessageStore,
  RmTablesError,
} from '../src';
import { openRmDataSource } from '../src/lib/data-source/open-rm-data-source';
import {
  TEST_DATABASES,
  T0,
  at,
  emptyTables,
  newAttempt,
  newMessage,
  type TestDatabase,
} from './support/test-databases';

describe.each(TEST_DATABASES)('MessageExecStore on $name', ({ create }) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let attempts: MessageExecStore;
  let messages: MessageStore;
  let logs: LogStore;

  beforeAll(async () => {
    database = await create();
    dataSource = await openRmDataSource(database.settings);
    attempts = new MessageExecStore(dataSource);
    messages = new MessageStore(dataSource);
    logs = new LogStore(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.dispose();
  });

  beforeEach(() => emptyTables(dataSource));

  describe('insertIgnoringDuplicates', () => {
    it('round-trips every column, with string ids, Unicode, nulls and millisecond dates', async () => {
      const failed = {
        messageId: 'msg-1',
        direction: MessageDirection.Upstream,
        command: 'Ação.Enviar',
        attempt: 1,
        status: AttemptStatus.Failure,
        startedAt: new Date('2025-01-02T03:04:05.001Z'),
        finishedAt: new Date('2025-01-02T03:04:06.999Z'),
        error: 'HTTP 503: serviço indisponível 日本 😀',
        data: '{"retryAfter":"30"}',
      };

      const written = await attempts.insertIgnoringDuplicates([failed, newAttempt('msg-1', { attempt: 2 })]);

      expect(written).toEqual([
        { id: expect.any(String), messageId: 'msg-1', attempt: 1 },
        { id: expect.any(String), messageId: 'msg-1', attempt: 2 },
      ]);
      const history = await attempts.findByMessageId('msg-1');
      expect(history).toEqual([
        Object.assign(new MessageExecEntity(), { ...failed, id: written[0]?.id }),
        Object.assign(new MessageExecEntity(), {
          ...newAttempt('msg-1', { attempt: 2 }),
          id: written[1]?.id,
          error: null,
          data: null,
        }),
      ]);
      expect(history.map((h) => typeof h.id)).toEqual(['string', 'string']);
    });

    it('copies DADOS in the database for DATA_OF_MESSAGE: from the message row, else its latest attempt', async () => {
      const payload = '{"nome":"João","texto":"日本 😀"}';
      await messages.insertIgnoringDuplicates([newMessage('stored', { data: payload })]);
      await attempts.insertIgnoringDuplicates([
        newAttempt('gone', { attempt: 1, data: 'first' }),
        newAttempt('gone', { attempt: 2, data: 'second' }),
      ]);

      const written = await attempts.insertIgnoringDuplicates([
        newAttempt('stored', { data: DATA_OF_MESSAGE }),
        newAttempt('gone', { attempt: 3, data: DATA_OF_MESSAGE }),
        newAttempt('never', { data: DATA_OF_MESSAGE }),
        newAttempt('given', { data: 'as given' }),
      ]);

      expect(written.map((w) => `${w.messageId} ${w.attempt}`)).toEqual([
        'given 1',
        'gone 3',
        'never 1',
        'stored 1',
      ]);
      const data = async (id: string) => (await attempts.findByMessageId(id)).map((h) => h.data);
      expect(await data('stored')).toEqual([payload]);
      expect(await data('gone')).toEqual(['first', 'second', 'second']);
      expect(await data('never')).toEqual([null]);
      expect(await data('given')).toEqual(['as given']);
    });

    it('sizes its statements for rows that bind the message id twice in place of DADOS', async () => {
      // More rows than one statement of nine parameters a row holds, on either database's parameter limit.
      const many = Array.from({ length: 7_000 }, (_, i) => newAttempt(`m${i}`, { data: DATA_OF_MESSAGE }));
      expect(await attempts.insertIgnoringDuplicates(many)).toHaveLength(7_000);
    });

    it('absorbs a redelivered outcome: same (message id, attempt) stored or repeated in the batch', async () => {
      await attempts.insertIgnoringDuplicates([
        newAttempt('m1', { attempt: 1, status: AttemptStatus.Failure, error: 'first' }),
      ]);

      const written = await attempts.insertIgnoringDuplicates([
        newAttempt('m1', { attempt: 1, status: AttemptStatus.Success }),
        newAttempt('m1', { attempt: 2, status: AttemptStatus.Success }),
        newAttempt('m1', { attempt: 2, status: AttemptStatus.Fatal }),
        newAttempt('m2', { attempt: 1 }),
      ]);

      expect(written.map((w) => `${w.messageId}#${w.attempt}`)).toEqual(['m1#2', 'm2#1']);
      const history = await attempts.findByMessageId('m1');
      expect(history.map((h) => [h.attempt, h.status, h.error])).toEqual([
        [1, AttemptStatus.Failure, 'first'],
        [2, AttemptStatus.Success, null],
      ]);
    });

    it('writes each outcome once, without deadlocking, when two writers insert one batch in opposite orders', async () => {
      const other = await openRmDataSource(database.settings);
      try {
        // Both pools hold an open connection, so the two inserts really run at the same time.
        await Promise.all([dataSource.query('SELECT 1'), other.query('SELECT 1')]);
        const batch = Array.from({ length: 2_000 }, (_, i) =>
          newAttempt(`race-${i % 100}`, { attempt: 1 + Math.floor(i / 100) }),
        );
        const results = await Promise.all([
          attempts.insertIgnoringDuplicates(batch),
          new MessageExecStore(other).insertIgnoringDuplicates([...batch].reverse()),
        ]);
        expect(results.flat()).toHaveLength(2_000);
        const [{ count }] = await dataSource.query('SELECT COUNT(*) AS count FROM "GTOTVSLINKMESSAGEEXEC"');
        expect(Number(count)).toBe(2_000);
      } finally {
        await other.destroy();
      }
    });
  });

  describe("insertIgnoringDuplicates with the attempts' logs", () => {
    const log = (messageId: string, attempt: number, message: string) => ({
      messageId,
      attempt,
      log: { messageId, type: LogType.Info, message, date: at(attempt), debug: 'source: segment:hr' },
    });

    it('writes the log rows of the attempts it writes now, none of those recorded before', async () => {
      await attempts.insertIgnoringDuplicates([newAttempt('m1', { attempt: 1 })], [log('m1', 1, 'first')]);

      const written = await attempts.insertIgnoringDuplicates(
        [
          newAttempt('m1', { attempt: 1 }),
          newAttempt('m1', { attempt: 2 }),
          newAttempt('m2', { attempt: 1 }),
        ],
        [
          log('m1', 1, 'first again'),
          log('m1', 2, 'second'),
          log('m1', 2, 'second, more'),
          log('m2', 1, 'other'),
        ],
      );

      expect(written.map((w) => `${w.messageId}#${w.attempt}`)).toEqual(['m1#2', 'm2#1']);
      const rows = await logs.findByMessageIds(['m1', 'm2']);
      expect(rows.map((r) => [r.messageId, r.type, r.message, r.date, r.debug])).toEqual([
        ['m1', LogType.Info, 'first', at(1), 'source: segment:hr'],
        ['m1', LogType.Info, 'second', at(2), 'source: segment:hr'],
        ['m1', LogType.Info, 'second, more', at(2), 'source: segment:hr'],
        ['m2', LogType.Info, 'other', at(1), 'source: segment:hr'],
      ]);
    });

    it('writes neither the attempts nor their logs when a log row fails', async () => {
      const broken = log('m1', 1, 'x');
      await expect(
        attempts.insertIgnoringDuplicates(
          [newAttempt('m1', { attempt: 1 })],
          [{ ...broken, log: { ...broken.log, message: null as unknown as string } }],
        ),
      ).rejects.toThrow(RmTablesError);

      expect(await attempts.findByMessageId('m1')).toEqual([]);
      expect(await logs.count()).toBe(0);
      // The same attempt is written later, once the log row can be.
      expect(
        await attempts.insertIgnoringDuplicates([newAttempt('m1', { attempt: 1 })], [log('m1', 1, 'x')]),
      ).toHaveLength(1);
      expect(await logs.count()).toBe(1);
    });

    it('keeps the statements run beside a transaction out of it: its rollback takes none of them along', async () => {
      const broken = log('t1', 1, 'x');
      const results = await Promise.allSettled([
        attempts.insertIgnoringDuplicates(
          [newAttempt('t1', { attempt: 1 })],
          [{ ...broken, log: { ...broken.log, message: null as unknown as string } }],
        ),
        attempts.insertIgnoringDuplicates([newAttempt('beside', { attempt: 1 })]),
        ...['c1', 'c2', 'c3'].map((id) =>
          attempts.insertIgnoringDuplicates([newAttempt(id, { attempt: 1 })], [log(id, 1, `line of ${id}`)]),
        ),
      ]);

      expect(results.map((r) => r.status)).toEqual([
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect(await attempts.findByMessageId('t1')).toEqual([]);
      expect((await attempts.findByMessageIds(['beside', 'c1', 'c2', 'c3'])).map((a) => a.messageId)).toEqual(
        ['beside', 'c1', 'c2', 'c3'],
      );
      expect((await logs.findByMessageIds(['c1', 'c2', 'c3'])).map((l) => l.message)).toEqual([
        'line of c1',
        'line of c2',
        'line of c3',
      ]);
    });
  });

  describe('findSucceededMessageIds', () => {
    it('names the messages with a successful attempt, whatever attempts failed before', async () => {
      await attempts.insertIgnoringDuplicates([
        newAttempt('succeeded-first', { attempt: 1 }),
        newAttempt('succeeded-later', { attempt: 1, status: AttemptStatus.Failure, error: 'boom' }),
        newAttempt('succeeded-later', { attempt: 2 }),
        newAttempt('only-failed', { attempt: 1, status: AttemptStatus.Failure, error: 'boom' }),
        newAttempt('fatal', { attempt: 1, status: AttemptStatus.Fatal, error: 'bad' }),
      ]);

      expect(
        await attempts.findSucceededMessageIds([
          'succeeded-later',
          'only-failed',
          'fatal',
          'never-seen',
          'succeeded-first',
          'succeeded-first',
        ]),
      ).toEqual(['succeeded-first', 'succeeded-later']);
      expect(await attempts.findSucceededMessageIds([])).toEqual([]);
    });
  });

  describe('findByMessageIds', () => {
    it('reads the history of several messages, by message then attempt', async () => {
      await attempts.insertIgnoringDuplicates([
        newAttempt('b', { attempt: 2 }),
        newAttempt('a', { attempt: 1 }),
        newAttempt('b', { attempt: 1, status: AttemptStatus.Failure }),
        newAttempt('c', { attempt: 1 }),
      ]);

      const history = await attempts.findByMessageIds(['b', 'a', 'unknown']);

      expect(history.map((h) => [h.messageId, h.attempt, h.status])).toEqual([
        ['a', 1, AttemptStatus.Success],
        ['b', 1, AttemptStatus.Failure],
        ['b', 2, AttemptStatus.Success],
      ]);
      expect(history[0]).toBeInstanceOf(MessageExecEntity);
    });
  });

  describe('purgeFinishedBefore', () => {
    beforeEach(async () => {
      await messages.insertIgnoringDuplicates([
        newMessage('still-retrying', { status: MessageStatus.WaitingRetry }),
        newMessage('dead', { status: MessageStatus.Dead }),
      ]);
      await attempts.insertIgnoringDuplicates([
        ...[1, 2, 3, 4, 5].map((n) => newAttempt(`done-${n}`, { finishedAt: at(-86_400_000 - n) })),
        newAttempt('done-recent', { finishedAt: at(-1) }),
        newAttempt('done-at-cutoff', { finishedAt: at(-86_400_000) }),
        newAttempt('still-retrying', { finishedAt: at(-90_000_000), status: AttemptStatus.Failure }),
        newAttempt('dead', { finishedAt: at(-90_000_000), status: AttemptStatus.Fatal }),
      ]);
    });

    it('deletes old attempts in chunks of at most limit, until none is left', async () => {
      const before = at(-86_400_000);
      const deleted: number[] = [];
      for (let n = await attempts.purgeFinishedBefore({ before, limit: 2 }); n > 0;) {
        deleted.push(n);
        n = await attempts.purgeFinishedBefore({ before, limit: 2 });
      }
      expect(deleted).toEqual([2, 2, 1]);
      const left: { IDMENSAGEM: string }[] = await dataSource.query(
        'SELECT "IDMENSAGEM" FROM "GTOTVSLINKMESSAGEEXEC" ORDER BY "IDMENSAGEM"',
      );
      expect(left.map((r) => r.IDMENSAGEM)).toEqual([
        'dead',
        'done-at-cutoff',
        'done-recent',
        'still-retrying',
      ]);
    });

    it('never deletes the history of a message still in GTOTVSLINKMESSAGE', async () => {
      expect(await attempts.purgeFinishedBefore({ before: T0, limit: 1000 })).toBe(7);
      expect((await attempts.findByMessageId('still-retrying')).length).toBe(1);
      expect((await attempts.findByMessageId('dead')).length).toBe(1);

      await messages.deleteSucceeded(['still-retrying', 'dead']);
      expect(await attempts.purgeFinishedBefore({ before: T0, limit: 1000 })).toBe(2);
    });
  });
});
