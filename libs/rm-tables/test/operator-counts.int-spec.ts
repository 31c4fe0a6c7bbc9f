import type { DataSource } from 'typeorm';
import { AttemptStatus, MessageDirection, MessageExecStore, MessageStatus, MessageStore } from '../src';
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

// The counts an operator reads with `cli status`: the backlog by command and status, and recent failures.

describe.each(TEST_DATABASES)('operator counts on $name', ({ create }) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let messages: MessageStore;
  let attempts: MessageExecStore;

  beforeAll(async () => {
    database = await create();
    dataSource = await openRmDataSource(database.settings);
    messages = new MessageStore(dataSource);
    attempts = new MessageExecStore(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.dispose();
  });

  beforeEach(() => emptyTables(dataSource));

  describe('MessageStore.countByCommand', () => {
    it('counts by direction, command and status with the oldest creation time of each group', async () => {
      await messages.insertIgnoringDuplicates([
        newMessage('a1', { command: 'Alpha', createdAt: at(-5_000) }),
        newMessage('a2', { command: 'Alpha', createdAt: at(-9_123) }),
        newMessage('a3', { command: 'Alpha', status: MessageStatus.Dead, createdAt: at(-60_000) }),
        newMessage('a4', { command: 'Alpha', status: MessageStatus.WaitingRetry, createdAt: at(-1) }),
        newMessage('b1', { command: 'Beta', status: MessageStatus.Dispatched, createdAt: at(-2_000) }),
        newMessage('u1', {
          command: 'Alpha',
          direction: MessageDirection.Upstream,
          audience: 'SGDP',
          createdAt: at(-7_000),
        }),
      ]);

      expect(await messages.countByCommand()).toEqual([
        {
          direction: MessageDirection.Upstream,
          command: 'Alpha',
          status: MessageStatus.Pending,
          count: 1,
          oldestCreatedAt: at(-7_000),
        },
        {
          direction: MessageDirection.Downstream,
          command: 'Alpha',
          status: MessageStatus.Pending,
          count: 2,
          oldestCreatedAt: at(-9_123),
        },
        {
          direction: MessageDirection.Downstream,
          command: 'Alpha',
          status: MessageStatus.WaitingRetry,
          count: 1,
          oldestCreatedAt: at(-1),
        },
        {
          direction: MessageDirection.Downstream,
          command: 'Alpha',
          status: MessageStatus.Dead,
          count: 1,
          oldestCreatedAt: at(-60_000),
        },
        {
          direction: MessageDirection.Downstream,
          command: 'Beta',
          status: MessageStatus.Dispatched,
          count: 1,
          oldestCreatedAt: at(-2_000),
        },
      ]);
    });

    it('returns nothing for an empty table', async () => {
      expect(await messages.countByCommand()).toEqual([]);
    });
  });

  describe('MessageExecStore.countFailedSince', () => {
    it('counts failed and fatal attempts finished at or after the instant, with the latest finish', async () => {
      await attempts.insertIgnoringDuplicates([
        newAttempt('m1', {
          command: 'Alpha',
          attempt: 1,
          status: AttemptStatus.Failure,
          finishedAt: at(-3_600_001),
        }),
        newAttempt('m1', {
          command: 'Alpha',
          attempt: 2,
          status: AttemptStatus.Failure,
          finishedAt: at(-3_600_000),
        }),
        newAttempt('m1', {
          command: 'Alpha',
          attempt: 3,
          status: AttemptStatus.Failure,
          finishedAt: at(-10),
        }),
        newAttempt('m1', { command: 'Alpha', attempt: 4, status: AttemptStatus.Fatal, finishedAt: at(-20) }),
        newAttempt('m2', { command: 'Alpha', attempt: 1, status: AttemptStatus.Success, finishedAt: T0 }),
        newAttempt('m3', {
          command: 'Beta',
          attempt: 1,
          status: AttemptStatus.Failure,
          finishedAt: at(-30_000),
        }),
        newAttempt('m4', {
          command: 'Alpha',
          direction: MessageDirection.Upstream,
          attempt: 1,
          status: AttemptStatus.Failure,
          finishedAt: at(-1_000),
        }),
      ]);

      expect(await attempts.countFailedSince(at(-3_600_000))).toEqual([
        {
          direction: MessageDirection.Upstream,
          command: 'Alpha',
          status: AttemptStatus.Failure,
          count: 1,
          lastFinishedAt: at(-1_000),
        },
        {
          direction: MessageDirection.Downstream,
          command: 'Alpha',
          status: AttemptStatus.Failure,
          count: 2,
          lastFinishedAt: at(-10),
        },
        {
          direction: MessageDirection.Downstream,
          command: 'Alpha',
          status: AttemptStatus.Fatal,
          count: 1,
          lastFinishedAt: at(-20),
        },
        {
          direction: MessageDirection.Downstream,
          command: 'Beta',
          status: AttemptStatus.Failure,
          count: 1,
          lastFinishedAt: at(-30_000),
        },
      ]);
    });
  });
});
