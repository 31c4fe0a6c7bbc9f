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
}

const run = promisify(execFile);

/** The one query a reading takes: exact counts (the tables stay small enough over a soak) and the message table's size. */
export const TABLE_SIZES_SQL = [
  'SELECT',
  `(SELECT count(*) FROM "${RmTableName.Message}"),`,
  `pg_total_relation_size('"${RmTableName.Message}"'),`,
  `(SELECT count(*) FROM "${RmTableName.MessageExec}"),`,
  `(SELECT count(*) FROM "${RmTableName.Log}")`,
].join(' ');

/** Reads the four figures of `psql -At -F,` output; throws on anything else. */
export function tableSizesOfPsql(output: string): TableSizes {
  const fields = output.trim().split(',').map(Number);
  if (fields.length !== 4 || fields.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`unexpected psql output: ${output.trim().slice(0, 200)}`);
  }
  const [messageRows, messageBytes, execRows, logRows] = fields as [number, number, number, number];
  return { messageRows, messageBytes, execRows, logRows };
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
