import {
  AttemptStatus,
  MessageDirection,
  MessageStatus,
  type FailedAttemptCount,
  type MessageCount,
} from '@smartlink/rm-tables';
import { formatAge } from '../output/format-age';
import { textTable, type TextColumn } from '../output/text-table';

/** How far back `status` counts failed attempts. */
export const FAILURE_WINDOW_MS = 60 * 60 * 1000;

export type DirectionName = 'downstream' | 'upstream';

/** Messages of one command in GTOTVSLINKMESSAGE, by status. */
export interface CommandBacklog {
  readonly direction: DirectionName;
  readonly command: string;
  readonly pending: number;
  readonly waitingRetry: number;
  readonly dispatched: number;
  readonly dead: number;
  /** Creation of the oldest message still to run (not dead); null when all are dead. */
  readonly oldestCreatedAt: string | null;
  readonly oldestAgeMs: number | null;
}

/** Failed attempts of one command within the window. */
export interface CommandFailures {
  readonly direction: DirectionName;
  readonly command: string;
  /** Retryable failures. */
  readonly failed: number;
  /** Fatal failures (dead-lettered at once). */
  readonly fatal: number;
  readonly latestFinishedAt: string;
}

/** What `status` prints; `--json` prints this object as it is. */
export interface StatusReport {
  readonly at: string;
  /** Where the tables are (`describeDatabaseSettings`: never the password). */
  readonly database: string;
  readonly messages: {
    readonly commands: readonly CommandBacklog[];
    readonly totals: Pick<CommandBacklog, 'pending' | 'waitingRetry' | 'dispatched' | 'dead'>;
    readonly oldestCreatedAt: string | null;
    readonly oldestAgeMs: number | null;
  };
  readonly failures: {
    readonly since: string;
    readonly windowMs: number;
    readonly commands: readonly CommandFailures[];
    readonly failed: number;
    readonly fatal: number;
  };
  /** Dead messages waiting for an operator's redrive. */
  readonly deadLetters: number;
}

/** What the report is built from. */
export interface StatusInput {
  readonly at: Date;
  readonly database: string;
  readonly messages: readonly MessageCount[];
  readonly failures: readonly FailedAttemptCount[];
  readonly windowMs: number;
}

const STATUS_FIELD = {
  [MessageStatus.Pending]: 'pending',
  [MessageStatus.WaitingRetry]: 'waitingRetry',
  [MessageStatus.Dispatched]: 'dispatched',
  [MessageStatus.Dead]: 'dead',
} as const;

const directionName = (direction: MessageDirection): DirectionName =>
  direction === MessageDirection.Upstream ? 'upstream' : 'downstream';

/** Folds the per-status counts into one line per command, with totals; counts arrive ordered by direction, command. */
export function buildStatusReport(input: StatusInput): StatusReport {
  const now = input.at.getTime();
  const backlog = new Map<string, { row: Omit<CommandBacklog, 'oldestAgeMs'>; oldest: number | null }>();
  for (const count of input.messages) {
    const key = `${count.direction}:${count.command}`;
    const entry = backlog.get(key) ?? {
      row: {
        direction: directionName(count.direction),
        command: count.command,
        pending: 0,
        waitingRetry: 0,
        dispatched: 0,
        dead: 0,
        oldestCreatedAt: null,
      },
      oldest: null,
    };
    const field = STATUS_FIELD[count.status];
    entry.row = { ...entry.row, [field]: entry.row[field] + count.count };
    if (count.status !== MessageStatus.Dead)
      entry.oldest = earliest(entry.oldest, count.oldestCreatedAt.getTime());
    backlog.set(key, entry);
  }
  const commands = [...backlog.values()].map(({ row, oldest }) => ({
    ...row,
    oldestCreatedAt: oldest === null ? null : new Date(oldest).toISOString(),
    oldestAgeMs: oldest === null ? null : now - oldest,
  }));
  const oldest = commands.reduce<number | null>(
    (min, c) => (c.oldestCreatedAt === null ? min : earliest(min, Date.parse(c.oldestCreatedAt))),
    null,
  );
  const totals = {
    pending: sum(commands, (c) => c.pending),
    waitingRetry: sum(commands, (c) => c.waitingRetry),
    dispatched: sum(commands, (c) => c.dispatched),
    dead: sum(commands, (c) => c.dead),
  };

  const failures = new Map<string, CommandFailures>();
  for (const count of input.failures) {
    const key = `${count.direction}:${count.command}`;
    const known = failures.get(key);
    const latest = Math.max(count.lastFinishedAt.getTime(), known ? Date.parse(known.latestFinishedAt) : 0);
    failures.set(key, {
      direction: directionName(count.direction),
      command: count.command,
      failed: (known?.failed ?? 0) + (count.status === AttemptStatus.Failure ? count.count : 0),
      fatal: (known?.fatal ?? 0) + (count.status === AttemptStatus.Fatal ? count.count : 0),
      latestFinishedAt: new Date(latest).toISOString(),
    });
  }
  const failureRows = [...failures.values()];

  return {
    at: input.at.toISOString(),
    database: input.database,
    messages: {
      commands,
      totals,
      oldestCreatedAt: oldest === null ? null : new Date(oldest).toISOString(),
      oldestAgeMs: oldest === null ? null : now - oldest,
    },
    failures: {
      since: new Date(now - input.windowMs).toISOString(),
      windowMs: input.windowMs,
      commands: failureRows,
      failed: sum(failureRows, (f) => f.failed),
      fatal: sum(failureRows, (f) => f.fatal),
    },
    deadLetters: totals.dead,
  };
}

const BACKLOG_COLUMNS: readonly TextColumn[] = [
  { title: 'DIRECTION', align: 'left' },
  { title: 'COMMAND', align: 'left' },
  { title: 'PENDING', align: 'right' },
  { title: 'WAITING RETRY', align: 'right' },
  { title: 'DISPATCHED', align: 'right' },
  { title: 'DEAD', align: 'right' },
  { title: 'OLDEST', align: 'right' },
];

const FAILURE_COLUMNS: readonly TextColumn[] = [
  { title: 'DIRECTION', align: 'left' },
  { title: 'COMMAND', align: 'left' },
  { title: 'FAILED', align: 'right' },
  { title: 'FATAL', align: 'right' },
  { title: 'LATEST', align: 'right' },
];

/** The report as aligned tables for a terminal. */
export function formatStatusText(report: StatusReport): string {
  const now = Date.parse(report.at);
  const age = (ms: number | null) => (ms === null ? '-' : formatAge(ms));
  const { messages, failures } = report;
  const lines = [`RM tables: ${report.database}, at ${report.at}`, ''];

  if (messages.commands.length === 0) {
    lines.push('No messages waiting: GTOTVSLINKMESSAGE is empty.\n');
  } else {
    const totals = messages.totals;
    const rows = messages.commands.map((c) => [
      c.direction,
      c.command,
      String(c.pending),
      String(c.waitingRetry),
      String(c.dispatched),
      String(c.dead),
      age(c.oldestAgeMs),
    ]);
    rows.push([
      'all',
      '',
      String(totals.pending),
      String(totals.waitingRetry),
      String(totals.dispatched),
      String(totals.dead),
      age(messages.oldestAgeMs),
    ]);
    lines.push(
      'Messages not done (GTOTVSLINKMESSAGE); OLDEST is the age of the oldest one still to run:',
      textTable(BACKLOG_COLUMNS, rows),
    );
  }

  if (failures.commands.length === 0) {
    lines.push('No failed attempts in the last hour.\n');
  } else {
    const rows = failures.commands.map((f) => [
      f.direction,
      f.command,
      String(f.failed),
      String(f.fatal),
      `${formatAge(now - Date.parse(f.latestFinishedAt))} ago`,
    ]);
    lines.push(
      `Failed attempts in the last hour (GTOTVSLINKMESSAGEEXEC): ${failures.failed} failed, ${failures.fatal} fatal`,
      textTable(FAILURE_COLUMNS, rows),
    );
  }

  lines.push(
    report.deadLetters === 0
      ? 'Dead letters: 0'
      : `Dead letters: ${report.deadLetters} (npm run redrive -- --command <name> --by <you> puts them back)`,
  );
  return `${lines.join('\n')}\n`;
}

function earliest(known: number | null, candidate: number): number {
  return known === null ? candidate : Math.min(known, candidate);
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
