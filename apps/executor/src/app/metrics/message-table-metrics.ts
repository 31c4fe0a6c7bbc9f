import { CachedRead, type MetricsRegistry } from '@smartlink/metrics';
import { MessageDirection, MessageStatus, type MessageCount } from '@smartlink/rm-tables';

/** How long a reading of GTOTVSLINKMESSAGE serves scrapes. */
const TABLE_READ_CACHE_MS = 5_000;

/** What the gauges read from GTOTVSLINKMESSAGE; `MessageStore` fits. */
export interface MessageTableReader {
  countByCommand(): Promise<MessageCount[]>;
}

/**
 * The figures of GTOTVSLINKMESSAGE, read every few seconds: the messages not yet done by command, direction and
 * status, and the age of the oldest one not dead. Every executor sees the same table, so only the one for which
 * `reporting()` is true exports them (the leader of the event-log group): `sum()` over replicas is the table.
 */
export function registerMessageTableMetrics(
  registry: MetricsRegistry,
  table: MessageTableReader,
  reporting: () => boolean,
  now: () => number = Date.now,
): void {
  const reading = new CachedRead(() => table.countByCommand(), TABLE_READ_CACHE_MS, now);
  registry.sharedGauge({
    name: 'smartlink_pending_messages',
    help: 'Messages in GTOTVSLINKMESSAGE (not yet done), by command, direction and status; one executor reports it',
    labelNames: ['command', 'direction', 'status'],
    reporting,
    async collect() {
      const groups = await reading.get();
      this.reset();
      for (const group of groups) {
        this.inc(
          {
            command: group.command,
            direction: directionName(group.direction),
            status: statusName(group.status),
          },
          group.count,
        );
      }
    },
  });
  registry.sharedGauge({
    name: 'smartlink_oldest_pending_message_age_seconds',
    help: 'Age of the oldest message in GTOTVSLINKMESSAGE that is not dead (0 when there is none); one executor reports it',
    reporting,
    async collect() {
      const oldest = (await reading.get())
        .filter((group) => group.status !== MessageStatus.Dead)
        .reduce((min, group) => Math.min(min, group.oldestCreatedAt.getTime()), Number.POSITIVE_INFINITY);
      this.set(Number.isFinite(oldest) ? Math.max(0, (now() - oldest) / 1000) : 0);
    },
  });
}

function directionName(direction: number): string {
  return direction === MessageDirection.Upstream ? 'upstream' : 'downstream';
}

const STATUS_NAMES: Record<number, string> = {
  [MessageStatus.Pending]: 'pending',
  [MessageStatus.Dispatched]: 'dispatched',
  [MessageStatus.WaitingRetry]: 'waiting-retry',
  [MessageStatus.Dead]: 'dead',
};

function statusName(status: number): string {
  return STATUS_NAMES[status] ?? String(status);
}
