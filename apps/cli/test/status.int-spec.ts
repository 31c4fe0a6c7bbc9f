import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { freePort } from '@smartlink/testing';
import {
  AttemptStatus,
  DEFAULT_ADMIN_POSTGRES_URL,
  MessageDirection,
  MessageStatus,
  createScratchPostgresDatabase,
  openRmTables,
  parseDatabaseSettings,
  scratchSqlitePath,
  type DatabaseSettings,
  type NewAttempt,
  type NewMessage,
} from '@smartlink/rm-tables';
import type { StatusReport } from '../src/app/status/status-report';
import { runCliProcess } from './support/cli-process';

/** A database the CLI reads, as the DB_* env vars the services would get, and the settings to seed it with. */
interface TestDatabase {
  readonly env: Record<string, string>;
  readonly settings: DatabaseSettings;
  dispose(): Promise<void>;
}

const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_POSTGRES_URL;

const DATABASES = [
  {
    name: 'PostgreSQL',
    create: async (): Promise<TestDatabase> => {
      const scratch = await createScratchPostgresDatabase(ADMIN_URL);
      const url = new URL(ADMIN_URL);
      url.pathname = `/${scratch.name}`;
      return {
        env: { DB_TYPE: 'postgres', DB_URL: url.toString() },
        settings: scratch.settings,
        dispose: () => scratch.drop(),
      };
    },
  },
  {
    name: 'SQLite',
    create: async (): Promise<TestDatabase> => {
      const path = scratchSqlitePath();
      return {
        env: { DB_SQLITE_PATH: path },
        settings: parseDatabaseSettings({ DB_SQLITE_PATH: path }),
        dispose: () => rm(dirname(path), { recursive: true, force: true }),
      };
    },
  },
] as const;

const MINUTE = 60_000;

// `status` as an operator runs it: the built CLI as a process on the services' DB_* settings, over tables the
// services' own stores filled.
describe.each(DATABASES)('cli status on $name', ({ create }) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await create();
  });

  afterAll(async () => {
    await database?.dispose();
  });

  /** Writes rows through the RM table stores, migrating first as a service would. */
  async function seed(messages: readonly NewMessage[], attempts: readonly NewAttempt[]): Promise<void> {
    const tables = await openRmTables(database.settings);
    try {
      await tables.messages.insertIgnoringDuplicates(messages);
      await tables.attempts.insertIgnoringDuplicates(attempts);
    } finally {
      await tables.close();
    }
  }

  const status = (...args: string[]) => runCliProcess(['status', ...args], { env: database.env });

  it('says there is nothing to show in empty tables', async () => {
    await seed([], []);
    const run = await status();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No messages waiting: GTOTVSLINKMESSAGE is empty.');
    expect(run.stdout).toContain('No failed attempts in the last hour.');
    expect(run.stdout).toContain('Dead letters: 0');
  });

  describe('with messages and attempts', () => {
    let seededAt: number;

    beforeAll(async () => {
      seededAt = Date.now();
      const ago = (ms: number) => new Date(seededAt - ms);
      const message = (id: string, command: string, status: MessageStatus, ageMs: number): NewMessage => ({
        id,
        direction: MessageDirection.Downstream,
        command,
        data: '{}',
        status,
        createdAt: ago(ageMs),
        nextAttemptAt: ago(ageMs),
      });
      const attempt = (
        messageId: string,
        command: string,
        n: number,
        status: AttemptStatus,
        ageMs: number,
      ): NewAttempt => ({
        messageId,
        direction: MessageDirection.Downstream,
        command,
        attempt: n,
        status,
        startedAt: ago(ageMs + 100),
        finishedAt: ago(ageMs),
      });
      await seed(
        [
          message('a1', 'CliAlpha', MessageStatus.Pending, 10 * MINUTE),
          message('a2', 'CliAlpha', MessageStatus.Pending, MINUTE),
          message('a3', 'CliAlpha', MessageStatus.WaitingRetry, 5 * MINUTE),
          message('a4', 'CliAlpha', MessageStatus.Dispatched, 2 * MINUTE),
          message('a5', 'CliAlpha', MessageStatus.Dead, 300 * MINUTE),
          message('b1', 'CliBeta', MessageStatus.Dead, 30 * MINUTE),
          {
            ...message('u1', 'CliAlpha', MessageStatus.Pending, 3 * MINUTE),
            direction: MessageDirection.Upstream,
          },
        ],
        [
          attempt('a3', 'CliAlpha', 1, AttemptStatus.Failure, 5 * MINUTE),
          attempt('a5', 'CliAlpha', 1, AttemptStatus.Failure, 299 * MINUTE),
          attempt('a5', 'CliAlpha', 2, AttemptStatus.Failure, 30 * MINUTE),
          attempt('b1', 'CliBeta', 1, AttemptStatus.Fatal, 20 * MINUTE),
          attempt('s1', 'CliBeta', 1, AttemptStatus.Success, MINUTE),
        ],
      );
    });

    it('counts messages per command and status, failures of the last hour and dead letters, as JSON', async () => {
      const run = await status('--json');
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout) as StatusReport;

      expect(report.messages.commands).toEqual([
        {
          direction: 'upstream',
          command: 'CliAlpha',
          pending: 1,
          waitingRetry: 0,
          dispatched: 0,
          dead: 0,
          oldestCreatedAt: new Date(seededAt - 3 * MINUTE).toISOString(),
          oldestAgeMs: expect.any(Number),
        },
        {
          direction: 'downstream',
          command: 'CliAlpha',
          pending: 2,
          waitingRetry: 1,
          dispatched: 1,
          dead: 1,
          oldestCreatedAt: new Date(seededAt - 10 * MINUTE).toISOString(),
          oldestAgeMs: expect.any(Number),
        },
        {
          direction: 'downstream',
          command: 'CliBeta',
          pending: 0,
          waitingRetry: 0,
          dispatched: 0,
          dead: 1,
          oldestCreatedAt: null,
          oldestAgeMs: null,
        },
      ]);
      const alpha = report.messages.commands[1];
      expect(alpha?.oldestAgeMs).toBe(Date.parse(report.at) - (seededAt - 10 * MINUTE));
      expect(report.messages.totals).toEqual({ pending: 3, waitingRetry: 1, dispatched: 1, dead: 2 });
      expect(report.failures).toMatchObject({
        windowMs: 60 * MINUTE,
        failed: 2,
        fatal: 1,
        commands: [
          {
            direction: 'downstream',
            command: 'CliAlpha',
            failed: 2,
            fatal: 0,
            latestFinishedAt: new Date(seededAt - 5 * MINUTE).toISOString(),
          },
          {
            direction: 'downstream',
            command: 'CliBeta',
            failed: 0,
            fatal: 1,
            latestFinishedAt: new Date(seededAt - 20 * MINUTE).toISOString(),
          },
        ],
      });
      expect(report.deadLetters).toBe(2);
    });

    it('shows the same as tables for a terminal', async () => {
      const run = await status();
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^downstream {2}CliAlpha +2 +1 +1 +1 +10m\d\ds$/m);
      expect(run.stdout).toMatch(/^downstream {2}CliBeta +0 +0 +0 +1 +-$/m);
      expect(run.stdout).toMatch(/^upstream {4}CliAlpha +1 +0 +0 +0 +3m\d\ds$/m);
      expect(run.stdout).toMatch(/^all +3 +1 +1 +2 +10m\d\ds$/m);
      expect(run.stdout).toContain(
        'Failed attempts in the last hour (GTOTVSLINKMESSAGEEXEC): 2 failed, 1 fatal',
      );
      expect(run.stdout).toMatch(/^downstream {2}CliAlpha +2 +0 +5m\d\ds ago$/m);
      expect(run.stdout).toContain('Dead letters: 2 (npm run redrive');
    });
  });
});

describe('cli status when the database is down', () => {
  it('exits 4 with where it tried, and no password', async () => {
    const port = await freePort();
    const run = await runCliProcess(['status'], {
      env: { DB_TYPE: 'postgres', DB_URL: `postgres://smartlink:pa55word@127.0.0.1:${port}/rm` },
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`Could not connect to postgres smartlink@127.0.0.1:${port}/rm`);
    expect(run.stdout + run.stderr).not.toContain('pa55word');
  });
});
