import type { RmTables } from '@smartlink/rm-tables';
import type { TopicObserver } from '@smartlink/system-harness';
import { waitFor } from '@smartlink/testing';

/** What the tables and the topics hold of one message: where a lost message stopped. */
export interface LostTrace {
  readonly id: string;
  readonly messageRow: Record<string, unknown> | null;
  readonly attemptRows: Record<string, unknown>[];
  readonly records: {
    topic: string;
    partition: number;
    offset: string;
    at: string;
    headers: object;
    value: string;
  }[];
}

/**
 * For a failed case: the GTOTVSLINKMESSAGE row, the GTOTVSLINKMESSAGEEXEC rows and every record keyed by the message id
 * on `topics` (read from the beginning by the observer), for each of `ids`. Reading the topics waits until their
 * record counts stop growing.
 */
export async function traceLost(
  tables: Pick<RmTables, 'messages' | 'attempts'>,
  observer: TopicObserver,
  topics: readonly string[],
  ids: readonly string[],
): Promise<LostTrace[]> {
  for (const topic of topics) {
    if (!safeRecords(observer, topic)) await observer.collect(topic).catch(() => undefined);
  }
  let last = -1;
  await waitFor(
    () => {
      const count = topics.reduce((sum, t) => sum + (safeRecords(observer, t)?.length ?? 0), 0);
      const settled = count === last && count > 0;
      last = count;
      return settled;
    },
    { description: 'the observed topics to be read to their end', timeoutMs: 60_000, intervalMs: 2_000 },
  ).catch(() => undefined);
  const rows = await tables.messages.findByIds(ids);
  const attempts = await tables.attempts.findByMessageIds(ids);
  return ids.map((id) => ({
    id,
    messageRow: (rows.find((r) => r.id === id) as unknown as Record<string, unknown>) ?? null,
    attemptRows: attempts.filter((a) => a.messageId === id) as unknown as Record<string, unknown>[],
    records: topics.flatMap((topic) =>
      (safeRecords(observer, topic) ?? [])
        .filter((r) => r.key === id)
        .map((r) => ({
          topic,
          partition: r.partition,
          offset: r.offset,
          at: new Date(r.timestamp).toISOString(),
          headers: r.headers,
          value: r.value.toString('utf8').slice(0, 500),
        })),
    ),
  }));
}

/** The records the observer read from `topic`; undefined when it does not read that topic. */
function safeRecords(observer: TopicObserver, topic: string) {
  try {
    return observer.records(topic);
  } catch {
    return undefined;
  }
}
