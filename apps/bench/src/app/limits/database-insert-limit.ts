import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AttemptStatus,
  createScratchPostgresDatabase,
  DEFAULT_ADMIN_POSTGRES_URL,
  MessageDirection,
  openRmTables,
  parseDatabaseSettings,
  scratchSqlitePath,
  type NewAttempt,
  type RmTables,
} from '@smartlink/rm-tables';
import type { DatabaseLimit } from '../report/bench-result';

/** What the executor does per chunk of outcomes: one insert of up to 500 rows, three partitions at a time. */
export const EXECUTOR_CHUNK_ROWS = 500;
export const EXECUTOR_CONCURRENT_CHUNKS = 3;

/**
 * The database's batched insert rate for GTOTVSLINKMESSAGEEXEC rows, on a scratch database of the same kind as the
 * pipeline's, through the very store call the executor records attempts with (`insertIgnoringDuplicates`), in chunks
 * of the executor's size and concurrency. Rows carry a payload of `dataBytes`, as history rows keep the message data.
 */
export async function measureDatabaseLimit(input: {
  readonly database: 'postgres' | 'sqlite';
  readonly rows: number;
  readonly dataBytes: number;
  readonly adminUrl?: string;
}): Promise<DatabaseLimit> {
  const scratch = await scratchDatabase(input.database, input.adminUrl);
  try {
    const tables = await scratch.open();
    try {
      const data = JSON.stringify({ text: 'x'.repeat(Math.max(0, input.dataBytes - 12)) });
      const now = new Date();
      const chunks: NewAttempt[][] = [];
      for (let start = 0; start < input.rows; start += EXECUTOR_CHUNK_ROWS) {
        chunks.push(
          Array.from({ length: Math.min(EXECUTOR_CHUNK_ROWS, input.rows - start) }, () => ({
            messageId: randomUUID(),
            direction: MessageDirection.Downstream,
            command: 'BenchInsert',
            attempt: 1,
            status: AttemptStatus.Success,
            startedAt: now,
            finishedAt: now,
            data,
          })),
        );
      }
      const started = performance.now();
      let next = 0;
      const writer = async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++] as NewAttempt[];
          await tables.attempts.insertIgnoringDuplicates(chunk);
        }
      };
      await Promise.all(Array.from({ length: EXECUTOR_CONCURRENT_CHUNKS }, writer));
      const ms = performance.now() - started;
      return {
        database: input.database === 'postgres' ? 'PostgreSQL' : 'SQLite',
        rows: input.rows,
        batchSize: EXECUTOR_CHUNK_ROWS,
        concurrency: EXECUTOR_CONCURRENT_CHUNKS,
        rowsPerSec: (input.rows * 1000) / ms,
      };
    } finally {
      await tables.close();
    }
  } finally {
    await scratch.drop();
  }
}

async function scratchDatabase(
  kind: 'postgres' | 'sqlite',
  adminUrl: string = DEFAULT_ADMIN_POSTGRES_URL,
): Promise<{ open(): Promise<RmTables>; drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const scratch = await createScratchPostgresDatabase(adminUrl);
    return { open: () => openRmTables(scratch.settings), drop: () => scratch.drop() };
  }
  const path = scratchSqlitePath();
  return {
    open: () => openRmTables(parseDatabaseSettings({ DB_TYPE: 'sqlite', DB_SQLITE_PATH: path })),
    drop: async () => rmSync(dirname(path), { recursive: true, force: true }),
  };
}
