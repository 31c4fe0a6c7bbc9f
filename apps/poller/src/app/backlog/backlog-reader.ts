import type { ConsumerGroupLag } from '@smartlink/messaging';
import type { MessageStore } from '@smartlink/rm-tables';

/** One reading of the work downstream of the poller. */
export interface Backlog {
  /** Rows of GTOTVSLINKMESSAGE not done and not dead. */
  readonly undone: number;
  /** Records on `<ns>.received` and `<ns>.events` the executor has not committed yet. */
  readonly lag: number;
  readonly total: number;
}

/**
 * Reads the backlog the poller weighs before fetching more: messages the executor has stored but not finished,
 * plus events it has not even read yet. A message counted in both for a moment (stored, offset not yet committed)
 * only makes the reading err on the safe side.
 */
export class BacklogReader {
  constructor(
    private readonly messages: Pick<MessageStore, 'countUndone'>,
    private readonly lag: Pick<ConsumerGroupLag, 'read'>,
    /** The executor's consumer group on the received events and the event log, `<ns>.executor.events`. */
    private readonly executorGroup: string,
    /**
     * The topics that group reads: `<ns>.received`, and `<ns>.events`, whose retry-due events (and, during an
     * upgrade, an older poller's received events) are work for the executor too.
     */
    private readonly topics: readonly string[],
  ) {}

  async read(): Promise<Backlog> {
    const [undone, ...lags] = await Promise.all([
      this.messages.countUndone(),
      ...this.topics.map((topic) => this.lag.read(this.executorGroup, topic)),
    ]);
    const lag = lags.reduce((sum, groupLag) => sum + groupLag.total, 0);
    return { undone, lag, total: undone + lag };
  }
}

/**
 * The executor's consumer group on the received events and the event log (shared naming:
 * `<namespace>.executor.events`).
 */
export function executorEventsGroup(namespace: string): string {
  return `${namespace}.executor.events`;
}
