import type { LoggerService } from '@nestjs/common';
import {
  TopicNames,
  lifecycleEventRecord,
  type AttemptFinishedEvent,
  type ConsumedMessage,
  type EventRecord,
  type LifecycleEvent,
  type TopicRecords,
} from '@smartlink/messaging';
import {
  MessageDirection,
  MessageEntity,
  MessageExecEntity,
  MessageStatus,
  type ClaimDueInput,
  type ClaimOverdueStartedInput,
  type ClaimTimedOutInput,
  type ClaimUnplannedInput,
  type FailedAttemptUpdate,
  type InsertedAttempt,
  type NewAttempt,
  type RedriveDeadInput,
  type ReleaseClaimsInput,
  type SettledFailure,
} from '@smartlink/rm-tables';
import type { Clock } from '@smartlink/common';

// Typed doubles for the unit tests of the scheduler's handlers: GTOTVSLINKMESSAGE and GTOTVSLINKMESSAGEEXEC in
// memory with the stores' semantics (the guarded updates, the claims), a producer that keeps what it was given, and a
// logger that keeps its lines.

export const NOW = new Date('2026-11-28T10:00:00.000Z');
export const FIXED_CLOCK: Clock = { now: () => NOW };
export const TOPICS = new TopicNames('unit');
export const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

/** A stored message row; a downstream message that failed its first attempt unless overridden. */
export function row(id: string, overrides: Partial<MessageEntity> = {}): MessageEntity {
  return Object.assign(new MessageEntity(), {
    id,
    direction: MessageDirection.Downstream,
    command: 'DemoInvoiceIssued',
    audience: null,
    tenantId: 'tenant-1',
    correlatedId: null,
    data: `{"id":"${id}"}`,
    status: MessageStatus.WaitingRetry,
    attempts: 1,
    attemptsBase: 0,
    nextAttemptAt: null,
    createdAt: at(-60_000),
    updatedAt: at(-1_000),
    lastError: 'boom',
    ...overrides,
  });
}

/** A `failed` (or `fatal`) event of attempt `attempt`, as the executor emits it. */
export function failedEvent(
  messageId: string,
  attempt: number,
  overrides: Partial<AttemptFinishedEvent> = {},
): AttemptFinishedEvent {
  return {
    type: 'failed',
    messageId,
    at: at(-500).toISOString(),
    command: 'DemoInvoiceIssued',
    direction: 'downstream',
    attempt,
    error: `attempt ${attempt} failed`,
    startedAt: at(-900).toISOString(),
    finishedAt: at(-600).toISOString(),
    ...overrides,
  };
}

let offset = 0;
/** A record of the event log as a consumer sees it. */
export function consumed(event: LifecycleEvent | { raw: string }): ConsumedMessage {
  const record: EventRecord =
    'raw' in event ? { key: 'k', value: event.raw } : lifecycleEventRecord(event as LifecycleEvent);
  offset += 1;
  return {
    topic: TOPICS.events,
    partition: 0,
    offset: String(offset),
    key: record.key,
    value: Buffer.from(record.value),
    headers: { ...record.headers },
    timestamp: NOW.getTime(),
  };
}

/** GTOTVSLINKMESSAGE and GTOTVSLINKMESSAGEEXEC in memory, with the semantics of MessageStore and MessageExecStore. */
export class TablesDouble {
  readonly rows = new Map<string, MessageEntity>();
  readonly history: NewAttempt[] = [];
  /** Operations to fail once, e.g. `settleFailedAttempts`. */
  readonly failNext = new Set<string>();
  readonly maxRedriveIds = 3;
  /** How many times the history was read. */
  historyReads = 0;

  constructor(...rows: MessageEntity[]) {
    for (const r of rows) this.rows.set(r.id, r);
  }

  get(id: string): MessageEntity | undefined {
    return this.rows.get(id);
  }

  async findByIds(ids: readonly string[]): Promise<MessageEntity[]> {
    this.check('findByIds');
    return ids.flatMap((id) => (this.rows.has(id) ? [copy(this.rows.get(id) as MessageEntity)] : []));
  }

  async settleFailedAttempts(settlements: readonly SettledFailure[]): Promise<MessageEntity[]> {
    this.check('settleFailedAttempts');
    const changed: MessageEntity[] = [];
    for (const s of settlements) {
      const r = this.rows.get(s.id);
      if (!r || r.attempts !== s.attempt || r.attemptsBase >= s.attempt || r.nextAttemptAt !== null) continue;
      if (r.status !== MessageStatus.WaitingRetry && r.status !== s.status) continue;
      Object.assign(r, { status: s.status, nextAttemptAt: s.nextAttemptAt, updatedAt: s.now });
      changed.push(copy(r));
    }
    return changed.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async claimDue({ now, limit }: ClaimDueInput): Promise<MessageEntity[]> {
    this.check('claimDue');
    const due = [...this.rows.values()]
      .filter(
        (r) =>
          (r.status === MessageStatus.Pending || r.status === MessageStatus.WaitingRetry) &&
          r.nextAttemptAt !== null &&
          r.nextAttemptAt.getTime() <= now.getTime(),
      )
      .sort((a, b) => (a.nextAttemptAt as Date).getTime() - (b.nextAttemptAt as Date).getTime())
      .slice(0, limit);
    for (const r of due) Object.assign(r, { status: MessageStatus.Dispatched, updatedAt: now });
    return due.map(copy);
  }

  async releaseClaims({ ids, claimedAt, now }: ReleaseClaimsInput): Promise<string[]> {
    this.check('releaseClaims');
    const released: string[] = [];
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r && r.status === MessageStatus.Dispatched && r.updatedAt.getTime() === claimedAt.getTime()) {
        Object.assign(r, { status: MessageStatus.WaitingRetry, updatedAt: now });
        released.push(id);
      }
    }
    return released.sort();
  }

  async claimTimedOut({ now, dispatchedBefore, limit }: ClaimTimedOutInput): Promise<MessageEntity[]> {
    this.check('claimTimedOut');
    const lost = [...this.rows.values()]
      .filter(
        (r) =>
          (r.status === MessageStatus.Dispatched || r.status === MessageStatus.Pending) &&
          r.nextAttemptAt === null &&
          r.updatedAt.getTime() < dispatchedBefore.getTime(),
      )
      .slice(0, limit);
    for (const r of lost) r.updatedAt = now;
    return lost.map(copy);
  }

  async claimOverdueStarted({ now, reclaimAt, limit }: ClaimOverdueStartedInput): Promise<MessageEntity[]> {
    this.check('claimOverdueStarted');
    const overdue = [...this.rows.values()]
      .filter(
        (r) =>
          r.status === MessageStatus.Dispatched &&
          r.nextAttemptAt !== null &&
          r.nextAttemptAt.getTime() < now.getTime(),
      )
      .slice(0, limit);
    for (const r of overdue) r.nextAttemptAt = reclaimAt;
    return overdue.map(copy);
  }

  async claimUnplanned({ now, failedBefore, limit }: ClaimUnplannedInput): Promise<MessageEntity[]> {
    this.check('claimUnplanned');
    const found = [...this.rows.values()]
      .filter(
        (r) =>
          r.status === MessageStatus.WaitingRetry &&
          r.nextAttemptAt === null &&
          r.updatedAt.getTime() < failedBefore.getTime(),
      )
      .slice(0, limit);
    for (const r of found) r.updatedAt = now;
    return found.map(copy);
  }

  async recordFailedAttempts(updates: readonly FailedAttemptUpdate[]): Promise<string[]> {
    this.check('recordFailedAttempts');
    const changed: string[] = [];
    for (const u of updates) {
      const r = this.rows.get(u.id);
      if (!r || r.attempts >= u.attempt) continue;
      Object.assign(r, {
        status: u.status,
        attempts: u.attempt,
        nextAttemptAt: u.nextAttemptAt,
        lastError: u.lastError,
        updatedAt: u.now,
      });
      changed.push(u.id);
    }
    return changed.sort();
  }

  async insertIgnoringDuplicates(attempts: readonly NewAttempt[]): Promise<InsertedAttempt[]> {
    this.check('insertAttempts');
    const written: InsertedAttempt[] = [];
    for (const a of attempts) {
      if (this.history.some((h) => h.messageId === a.messageId && h.attempt === a.attempt)) continue;
      this.history.push(a);
      written.push({ id: String(this.history.length), messageId: a.messageId, attempt: a.attempt });
    }
    return written;
  }

  async findByMessageIds(ids: readonly string[]): Promise<MessageExecEntity[]> {
    this.check('findByMessageIds');
    this.historyReads += 1;
    return this.history
      .filter((h) => ids.includes(h.messageId))
      .map((h, i) =>
        Object.assign(new MessageExecEntity(), {
          id: String(i + 1),
          error: null,
          data: null,
          ...h,
        }),
      );
  }

  async redriveDead(input: RedriveDeadInput): Promise<MessageEntity[]> {
    this.check('redriveDead');
    const picked = [...this.rows.values()]
      .filter(
        (r) =>
          r.status === MessageStatus.Dead &&
          (input.ids === undefined || input.ids.includes(r.id)) &&
          (input.command === undefined || r.command === input.command) &&
          (input.deadFrom === undefined || r.updatedAt.getTime() >= input.deadFrom.getTime()) &&
          (input.deadBefore === undefined || r.updatedAt.getTime() < input.deadBefore.getTime()),
      )
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || (a.id < b.id ? -1 : 1))
      .slice(0, input.limit);
    for (const r of picked) {
      Object.assign(r, {
        status: MessageStatus.WaitingRetry,
        attemptsBase: r.attempts,
        nextAttemptAt: input.dueAt,
        updatedAt: input.now,
      });
    }
    return picked.map(copy).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  private check(operation: string): void {
    if (this.failNext.delete(operation)) throw new Error(`${operation} failed (injected)`);
  }
}

/** A producer that keeps every batch; `failNext` makes the next send reject. */
export class ProducerDouble {
  readonly sent: TopicRecords[] = [];
  failNext = false;

  async sendBatch(batches: readonly TopicRecords[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('the broker is unreachable (injected)');
    }
    this.sent.push(...batches.filter((b) => b.records.length > 0));
  }

  /** Everything sent to `topic`, parsed. */
  values(topic: string): Record<string, unknown>[] {
    return this.sent
      .filter((b) => b.topic === topic)
      .flatMap((b) => b.records.map((r) => JSON.parse(String(r.value)) as Record<string, unknown>));
  }
}

/** Keeps log lines by level. */
export class LoggerDouble implements LoggerService {
  readonly lines: string[] = [];
  log(message: string) {
    this.lines.push(`log ${message}`);
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`);
  }
  error(message: string) {
    this.lines.push(`error ${message}`);
  }
  debug(message: string) {
    this.lines.push(`debug ${message}`);
  }
}

function copy(r: MessageEntity): MessageEntity {
  return Object.assign(new MessageEntity(), r);
}
