import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RmTableName } from '@smartlink/rm-tables';

/** The RM tables' size at one moment. */
export interface TableSizes {
  /** Rows of GTOTVSLINKMESSAGE: messages not done yet (and dead ones, which none of the soak's should be). */
  readonly messageRows: number;
  /** pg_total_relation_size of GTOTVSLINKMESSAGE: heap, indexes and TOAST, dead tuples included. */
  readonly messageBytes: number;
  readonly execRows: number;
  readonly logRows: number;
  /** Dead tuples of GTOTVSLINKMESSAGE (pg_stat_user_tables.n_dead_tup): deleted rows not vacuumed yet. */
  readonly messageDeadRows?: number;
}

const run = promisify(execFile);

/** The one query a reading takes: exact counts (the tables stay small enough over a soak) and the message table's size. */
export const TABLE_SIZES_SQL = [
  'SELECT',
  `(SELECT count(*) FROM "${RmTableName.Message}"),`,
  `pg_total_relation_size('"${RmTableName.Message}"'),`,
  `(SELECT count(*) FROM "${RmTableName.MessageExec}"),`,
  `(SELECT count(*) FROM "${RmTableName.Log}"),`,
  `(SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relname = '${RmTableName.Message}')`,
].join(' ');

/**
 * What autovacuum would do for the RM tables, run by the bench when the server has autovacuum off (as the shared
 * test server of our machines does): GTOTVSLINKMESSAGE has a delete per message and an update per attempt, and
 * without vacuum its dead rows are never reused; the history tables only need fresh planner statistics.
 */
export const VACUUM_SQL: readonly string[] = [
  `VACUUM (ANALYZE) "${RmTableName.Message}"`,
  `ANALYZE "${RmTableName.MessageExec}", "${RmTableName.Log}"`,
];

/** Reads the figures of `psql -At -F,` output; throws on anything else. */
export function tableSizesOfPsql(output: string): TableSizes {
  const fields = output.trim().split(',').map(Number);
  if (fields.length !== 5 || fields.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`unexpected psql output: ${output.trim().slice(0, 200)}`);
  }
  const [messageRows, messageBytes, execRows, logRows, messageDeadRows] = fields as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { messageRows, messageBytes, execRows, logRows, messageDeadRows };
}

/**
 * Reads the table sizes of the run's PostgreSQL database through psql, as machine-info does: the bench's lint rules
 * keep database drivers inside rm-tables, whose stores have no size query, and psql runs outside the bench's event
 * loop, so the load it drives is not held up.
 */
export async function readTableSizes(databaseUrl: string): Promise<TableSizes> {
  const { stdout } = await run('psql', ['-At', '-F', ',', '-c', TABLE_SIZES_SQL, databaseUrl], {
    timeout: 8_000,
  });
  return tableSizesOfPsql(stdout);
}

/** Whether the server runs autovacuum (`SHOW autovacuum`). */
export async function serverAutovacuum(databaseUrl: string): Promise<boolean> {
  const { stdout } = await run('psql', ['-At', '-c', 'SHOW autovacuum', databaseUrl], { timeout: 8_000 });
  return stdout.trim() === 'on';
}

/** Runs {@link VACUUM_SQL} on the run's database, one `-c` each (VACUUM refuses to run in a multi-statement string). */
export async function vacuumTables(databaseUrl: string): Promise<void> {
  const commands = VACUUM_SQL.flatMap((sql) => ['-c', sql]);
  await run('psql', ['-v', 'ON_ERROR_STOP=1', '-q', ...commands, databaseUrl], { timeout: 120_000 });
}
