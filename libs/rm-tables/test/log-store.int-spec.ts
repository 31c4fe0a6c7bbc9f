import type { DataSource } from 'typeorm';
import { LogEntity, LogStore, LogType, MessageStatus, MessageStore } from '../src';
import { openRmDataSource } from '../src/lib/data-source/open-rm-data-source';
import { rmSqlDialectOf } from '../src/lib/sql/create-rm-sql-dialect';
import type { RmSqlDialect } from '../src/lib/sql/rm-sql-dialect';
import {
  TEST_DATABASES,
  T0,
  at,
  emptyTables,
  newLog,
  newMessage,
  type TestDatabase,
} from './support/test-databases';

describe.each(TEST_DATABASES)('LogStore on $name', ({ create }) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let logs: LogStore;

  beforeAll(async () => {
    database = await create();
    dataSource = await openRmDataSource(database.settings);
    logs = new LogStore(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.dispose();
  });

  beforeEach(() => emptyTables(dataSource));

  it('round-trips every column, with Unicode, nulls and millisecond dates', async () => {
    const error = {
      messageId: 'm1',
      type: LogType.Error,
      message: 'Falha na execução: 日本 😀',
      date: new Date('2025-01-02T03:04:05.678Z'),
      debug: `stack ${'y'.repeat(8_000)}`,
    };
    const info = newLog('recebida', { messageId: 'm1', date: new Date('2025-01-02T03:04:05.677Z') });

    expect(await logs.insert([error, info, newLog('unrelated')])).toBe(3);

    const found = await logs.findByMessageId('m1');
    expect(found).toEqual([
      Object.assign(new LogEntity(), { ...info, id: expect.any(String), debug: null }),
      Object.assign(new LogEntity(), { ...error, id: expect.any(String) }),
    ]);
  });

  it('splits a large batch over several statements', async () => {
    const dialect: RmSqlDialect = Object.create(rmSqlDialectOf(dataSource.options), {
      rowsPerStatement: { value: () => 100 },
    });
    const inserts = jest.spyOn(dialect, 'insertLogs');
    const batch = Array.from({ length: 1_001 }, (_, i) => newLog(`log ${i}`));

    expect(await new LogStore(dataSource, dialect).insert(batch)).toBe(1_001);
    expect(inserts).toHaveBeenCalledTimes(11);
  });

  it('reads the records of several messages, by message id then oldest first, and counts all', async () => {
    await logs.insert([
      newLog('b late', { messageId: 'b', date: at(2) }),
      newLog('a', { messageId: 'a', date: at(5) }),
      newLog('b early', { messageId: 'b', date: at(1) }),
      newLog('other', { messageId: 'c' }),
      newLog('none'),
    ]);

    const found = await logs.findByMessageIds(['b', 'a', 'missing', 'b']);

    expect(found.map((l) => l.message)).toEqual(['a', 'b early', 'b late']);
    expect(await logs.count()).toBe(5);
  });

  describe('purgeBefore', () => {
    it('deletes old records in chunks, sparing recent ones and those of messages still stored', async () => {
      await new MessageStore(dataSource).insertIgnoringDuplicates([
        newMessage('dead', { status: MessageStatus.Dead }),
      ]);
      await logs.insert([
        newLog('old, no message', { date: at(-10_000) }),
        newLog('old, message done', { messageId: 'done', date: at(-10_000) }),
        newLog('old, other done', { messageId: 'done-2', date: at(-10_001) }),
        newLog('old, message dead', { messageId: 'dead', date: at(-10_000) }),
        newLog('recent', { date: T0 }),
      ]);

      expect(await logs.purgeBefore({ before: at(-1), limit: 2 })).toBe(2);
      expect(await logs.purgeBefore({ before: at(-1), limit: 2 })).toBe(1);
      expect(await logs.purgeBefore({ before: at(-1), limit: 2 })).toBe(0);

      const left: { LOGMENSAGEM: string }[] = await dataSource.query(
        'SELECT "LOGMENSAGEM" FROM "GTOTVSLINKLOG" ORDER BY "LOGMENSAGEM"',
      );
      expect(left.map((r) => r.LOGMENSAGEM)).toEqual(['old, message dead', 'recent']);
    });
  });
});
