import type { ConsumerGroupLag } from '@smartlink/messaging';
import type { MessageStore } from '@smartlink/rm-tables';

/** One reading of the work downstream of the poller. */
export interface Backlog {
  /** Rows of GTOTVSLINKMESSAGE not done and not dead. */
  readonly undone: number;
  /** Records on the event log the executor has not committed yet. */
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
    /** The executor's consumer group on the event log, `<ns>.executor.events`. */
    private readonly executorGroup: string,
    private readonly eventsTopic: string,
  ) {}

  async read(): Promise<Backlog> {
    const [undone, lag] = await Promise.all([
      this.messages.countUndone(),
      this.lag.read(this.executorGroup, this.eventsTopic),
    ]);
    return { undone, lag: lag.total, total: undone + lag.total };
  }
}

/** The executor's consumer group on the event log (shared naming: `<namespace>.executor.events`). */
export function executorEventsGroup(namespace: string): string {
  return `${namespace}.executor.events`;
}
