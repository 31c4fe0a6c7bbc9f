import { AttemptStatus, type RmTables } from '@smartlink/rm-tables';

/** Reads history rows this many message ids at a time, to keep each query's IN list short. */
const IDS_PER_QUERY = 1_000;

/**
 * Success rows per message id in GTOTVSLINKMESSAGEEXEC, for the ids given: a message missing from the map is lost,
 * one counted twice succeeded twice. Every case judges "lost 0" with it.
 */
export function successCounts(
  tables: Pick<RmTables, 'attempts'>,
  ids: readonly string[],
): Promise<Map<string, number>> {
  return countsOf(tables, ids, AttemptStatus.Success);
}

/** Retryable-failure rows per message id, for the ids given: what may repeat a message's send or handler run. */
export function failureCounts(
  tables: Pick<RmTables, 'attempts'>,
  ids: readonly string[],
): Promise<Map<string, number>> {
  return countsOf(tables, ids, AttemptStatus.Failure);
}

async function countsOf(
  tables: Pick<RmTables, 'attempts'>,
  ids: readonly string[],
  status: AttemptStatus,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    for (const row of await tables.attempts.findByMessageIds(ids.slice(start, start + IDS_PER_QUERY))) {
      if (row.status === status) counts.set(row.messageId, (counts.get(row.messageId) ?? 0) + 1);
    }
  }
  return counts;
}

/** When each message first succeeded (the DATAFIM of its earliest success row), for the ids given. */
export async function successTimes(
  tables: Pick<RmTables, 'attempts'>,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
    for (const row of await tables.attempts.findByMessageIds(ids.slice(start, start + IDS_PER_QUERY))) {
      if (row.status !== AttemptStatus.Success) continue;
      const at = new Date(row.finishedAt).getTime();
      times.set(row.messageId, Math.min(times.get(row.messageId) ?? Infinity, at));
    }
  }
  return times;
}
