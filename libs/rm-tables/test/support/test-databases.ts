import type { DataSource } from 'typeorm';
import {
  AttemptStatus,
  LogType,
  MessageDirection,
  MessageStatus,
  type NewAttempt,
  type NewLog,
  type NewMessage,
  type ScratchDatabase,
  scratchDatabases,
} from '../../src';
import { RmTableName } from '../../src/lib/schema/rm-table-names';

/** A database the integration tests run against, created for one test file and removed afterwards. */
export type TestDatabase = ScratchDatabase;

/** The databases every integration test runs on: a scratch PostgreSQL database and a temporary SQLite file. */
export const TEST_DATABASES = scratchDatabases();

/** Empties the three tables, so each test starts from nothing. */
export async function emptyTables(dataSource: DataSource): Promise<void> {
  for (const table of [RmTableName.Log, RmTableName.MessageExec, RmTableName.Message]) {
    await dataSource.query(`DELETE FROM "${table}"`);
  }
}

/** Tables and indexes in the database (PostgreSQL: in `schema`, default the current one). */
export async function listObjects(
  dataSource: DataSource,
  schema?: string,
): Promise<{ tables: string[]; indexes: string[] }> {
  if (dataSource.options.type === 'postgres') {
    const tables: { name: string }[] = await dataSource.query(
      'SELECT tablename AS name FROM pg_tables WHERE schemaname = coalesce($1, current_schema()) ORDER BY 1',
      [schema ?? null],
    );
    const indexes: { name: string }[] = await dataSource.query(
      'SELECT indexname AS name FROM pg_indexes WHERE schemaname = coalesce($1, current_schema()) ORDER BY 1',
      [schema ?? null],
    );
    return { tables: tables.map((t) => t.name), indexes: indexes.map((i) => i.name) };
  }
  const rows: { name: string; type: string }[] = await dataSource.query(
    "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  return {
    tables: rows.filter((r) => r.type === 'table').map((r) => r.name),
    indexes: rows.filter((r) => r.type === 'index').map((r) => r.name),
  };
}

/** Fixed instants: tests pass the clock in and never read the wall clock. */
export const T0 = new Date('2025-06-01T12:00:00.000Z');
export const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

/** A pending downstream message, due at T0 unless overridden. */
export function newMessage(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    id,
    direction: MessageDirection.Downstream,
    command: 'EmployeeCreated',
    data: `{"id":"${id}"}`,
    status: MessageStatus.Pending,
    nextAttemptAt: T0,
    createdAt: at(-60_000),
    ...overrides,
  };
}

/** A successful first attempt of `messageId`, finished at T0 unless overridden. */
export function newAttempt(messageId: string, overrides: Partial<NewAttempt> = {}): NewAttempt {
  return {
    messageId,
    direction: MessageDirection.Downstream,
    command: 'EmployeeCreated',
    attempt: 1,
    status: AttemptStatus.Success,
    startedAt: at(-1_000),
    finishedAt: T0,
    ...overrides,
  };
}

/** An info record dated T0 unless overridden. */
export function newLog(message: string, overrides: Partial<NewLog> = {}): NewLog {
  return { type: LogType.Info, message, date: T0, ...overrides };
}

/** Rejects if `promise` has not settled within `ms`: proves a call did not wait on someone else's lock. */
export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
