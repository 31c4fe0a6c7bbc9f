import type { LoggerService } from '@nestjs/common';
import { type Clock, isMessageLogLine } from '@smartlink/common';
import { MetricsRegistry } from '@smartlink/metrics';
import {
  TopicNames,
  lifecycleEventRecord,
  outcomeRecord,
  attemptStartedRecord,
  type AttemptStarted,
  type ConsumedMessage,
  type EventRecord,
  type Outcome,
  type ReceivedEvent,
  type TopicRecords,
} from '@smartlink/messaging';
import {
  AttemptStatus,
  DATA_OF_MESSAGE,
  MessageDirection,
  MessageEntity,
  MessageExecEntity,
  MessageStatus,
  type DispatchedAttempt,
  type MessageOrigin,
  type MarkStartedInput,
  type FailedAttemptUpdate,
  type AttemptLog,
  type InsertedAttempt,
  type NewAttempt,
  type NewLog,
  type NewMessage,
} from '@smartlink/rm-tables';
import type { ExecutorCounters } from '../../src/app/metrics/executor-counters';
import { ExecutorMetrics } from '../../src/app/metrics/executor-metrics';

// Typed doubles for the unit tests of the downstream handlers: in-memory tables with the stores' semantics, a
// producer that keeps what it was given, and a journal that records every call in order, so a test can check that
// the database write came before the publish and the publish before the handler resolved.

/** Every call the doubles saw, in order: `db:insert messages`, `kafka:send ns.cmd.Demo`... */
export class Journal {
  readonly entries: string[] = [];

  add(entry: string): void {
    this.entries.push(entry);
  }
}

/** Makes the next call of `operation` fail, once, to simulate a crash or an outage there. */
export class Faults {
  private readonly pending = new Set<string>();

  failNext(operation: string): void {
    this.pending.add(operation);
  }

  check(operation: string): void {
    if (this.pending.delete(operation)) throw new Error(`${operation} failed (injected)`);
  }
}

/** GTOTVSLINKMESSAGE and GTOTVSLINKMESSAGEEXEC in memory, with the semantics of MessageStore and MessageExecStore. */
export class TablesDouble {
  readonly rows = new Map<string, MessageEntity>();
  readonly history: MessageExecEntity[] = [];
  /** GTOTVSLINKLOG rows written with the attempts (the executor's own lines and the segments' inline ones). */
  readonly logRows: NewLog[] = [];
  private nextId = 1;

  constructor(
    private readonly journal: Journal,
    private readonly faults: Faults = new Faults(),
  ) {}

  /** MessageStore.insertIgnoringDuplicates */
  async insertIgnoringDuplicates(messages: readonly NewMessage[]): Promise<string[]> {
    this.call('insert messages');
    const written: string[] = [];
    for (const m of messages) {
      if (this.rows.has(m.id)) continue;
      this.rows.set(m.id, toEntity(m));
      written.push(m.id);
    }
    return written.sort();
  }

  /** MessageStore.findByIds */
  async findByIds(ids: readonly string[]): Promise<MessageEntity[]> {
    this.call('find messages');
    return ids.flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [row] : [];
    });
  }

  /** MessageStore.findOrigins */
  async findOrigins(ids: readonly string[]): Promise<MessageOrigin[]> {
    this.call('find origins');
    return ids.flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [{ id: row.id, direction: row.direction, command: row.command }] : [];
    });
  }

  /** MessageStore.deleteSucceeded */
  async deleteSucceeded(ids: readonly string[]): Promise<number> {
    this.call('delete messages');
    return [...new Set(ids)].filter((id) => this.rows.delete(id)).length;
  }

  /** MessageStore.markDispatched */
  async markDispatched(dispatches: readonly DispatchedAttempt[], now: Date): Promise<string[]> {
    this.call('mark dispatched');
    const changed: string[] = [];
    for (const { id, attempt } of dispatches) {
      const row = this.rows.get(id);
      const waiting = row?.status === MessageStatus.Pending || row?.status === MessageStatus.WaitingRetry;
      if (!row || !waiting || row.attempts >= attempt) continue;
      row.status = MessageStatus.Dispatched;
      row.updatedAt = now;
      row.nextAttemptAt = null;
      changed.push(id);
    }
    return changed.sort();
  }

  /** MessageStore.markStarted */
  async markStarted(markers: readonly MarkStartedInput[]): Promise<string[]> {
    this.call('mark started');
    const changed: string[] = [];
    for (const m of markers) {
      const row = this.rows.get(m.id);
      const open = row?.status === MessageStatus.Pending || row?.status === MessageStatus.Dispatched;
      if (!row || !open || row.attempts !== m.attempt - 1) continue;
      Object.assign(row, {
        status: MessageStatus.Dispatched,
        updatedAt: m.startedAt,
        nextAttemptAt: m.outcomeDueBy,
      });
      changed.push(m.id);
    }
    return changed.sort();
  }

  /** MessageStore.recordFailedAttempts */
  async recordFailedAttempts(updates: readonly FailedAttemptUpdate[]): Promise<string[]> {
    this.call('record failed attempts');
    const changed: string[] = [];
    for (const u of updates) {
      const row = this.rows.get(u.id);
      if (!row || row.attempts >= u.attempt) continue;
      Object.assign(row, {
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

  /** MessageExecStore.insertIgnoringDuplicates */
  async insertAttempts(
    attempts: readonly NewAttempt[],
    logs: readonly AttemptLog[] = [],
  ): Promise<InsertedAttempt[]> {
    this.call('insert attempts');
    const written: InsertedAttempt[] = [];
    for (const a of attempts) {
      if (this.history.some((h) => h.messageId === a.messageId && h.attempt === a.attempt)) continue;
      if (written.some((w) => w.messageId === a.messageId && w.attempt === a.attempt)) continue;
      const id = String(this.nextId++);
      this.history.push(
        Object.assign(new MessageExecEntity(), { error: null, ...a, data: this.dataOf(a), id }),
      );
      written.push({ id, messageId: a.messageId, attempt: a.attempt });
    }
    // In the same transaction: the log rows of the attempts written now only.
    for (const l of logs) {
      if (written.some((w) => w.messageId === l.messageId && w.attempt === l.attempt))
        this.logRows.push(l.log);
    }
    return written;
  }

  /** DADOS as the database writes it: given, or for DATA_OF_MESSAGE the message row's, else its latest attempt's. */
  private dataOf(a: NewAttempt): string | null {
    if (a.data !== DATA_OF_MESSAGE) return a.data ?? null;
    const earlier = this.history
      .filter((h) => h.messageId === a.messageId)
      .sort((x, y) => y.attempt - x.attempt);
    return this.rows.get(a.messageId)?.data ?? earlier[0]?.data ?? null;
  }

  /** MessageExecStore.findSucceededMessageIds */
  async findSucceededMessageIds(ids: readonly string[]): Promise<string[]> {
    this.call('find succeeded');
    const wanted = new Set(ids);
    return [
      ...new Set(
        this.history
          .filter((h) => wanted.has(h.messageId) && h.status === AttemptStatus.Success)
          .map((h) => h.messageId),
      ),
    ].sort();
  }

  /** MessageExecStore.findByMessageIds */
  async findByMessageIds(ids: readonly string[]): Promise<MessageExecEntity[]> {
    this.call('find attempts');
    const wanted = new Set(ids);
    return this.history.filter((h) => wanted.has(h.messageId));
  }

  /** The history store's face of this double. */
  get attemptStore() {
    return {
      insertIgnoringDuplicates: (attempts: readonly NewAttempt[], logs?: readonly AttemptLog[]) =>
        this.insertAttempts(attempts, logs),
      findSucceededMessageIds: (ids: readonly string[]) => this.findSucceededMessageIds(ids),
      findByMessageIds: (ids: readonly string[]) => this.findByMessageIds(ids),
    };
  }

  private call(operation: string): void {
    this.faults.check(`db:${operation}`);
    this.journal.add(`db:${operation}`);
  }
}

/** The producer: keeps every record by topic, journals each send, fails when told to. */
export class ProducerDouble {
  readonly sent: TopicRecords[] = [];

  constructor(
    private readonly journal: Journal,
    private readonly faults: Faults = new Faults(),
  ) {}

  async sendBatch(batches: readonly TopicRecords[]): Promise<void> {
    const topics = batches.filter((b) => b.records.length > 0).map((b) => b.topic);
    if (topics.length === 0) return;
    this.faults.check('kafka:send');
    this.journal.add(`kafka:send ${topics.join(' ')}`);
    this.sent.push(...batches.filter((b) => b.records.length > 0));
  }

  /** Every record sent to `topic`, in order. */
  records(topic: string): EventRecord[] {
    return this.sent.filter((b) => b.topic === topic).flatMap((b) => b.records);
  }

  /** The JSON values sent to `topic`, parsed. */
  values(topic: string): Record<string, unknown>[] {
    return this.records(topic).map((r) => JSON.parse(String(r.value)) as Record<string, unknown>);
  }
}

/** Keeps log lines by level. */
export class LoggerDouble implements LoggerService {
  readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];

  log(message: unknown): void {
    this.push('log', message);
  }
  error(message: unknown): void {
    this.push('error', message);
  }
  warn(message: unknown): void {
    this.push('warn', message);
  }
  debug(message: unknown): void {
    this.push('debug', message);
  }

  at(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }

  /** The fields of a message log line (`messageLogLine`), empty for plain text. */
  private push(level: string, message: unknown): void {
    if (isMessageLogLine(message)) {
      const { message: text, ...fields } = message;
      this.lines.push({ level, message: text, fields });
    } else {
      this.lines.push({ level, message: String(message), fields: {} });
    }
  }
}

/** The executor's metrics on a registry of their own. */
export function executorMetrics(counters: ExecutorCounters): ExecutorMetrics {
  return new ExecutorMetrics(
    new MetricsRegistry({ service: 'executor', defaultMetrics: false }),
    counters,
    () => NOW.getTime(),
  );
}

export const NAMESPACE = 'ns';
export const TOPICS = new TopicNames(NAMESPACE);
export const NOW = new Date('2026-11-28T10:00:05.000Z');
export const RECEIVED_AT = '2026-11-28T10:00:00.000Z';
export const FIXED_CLOCK: Clock = { now: () => NOW };

/** A `received` event as the poller writes it. */
export function receivedEvent(messageId: string, overrides: Partial<ReceivedEvent> = {}): ReceivedEvent {
  return {
    type: 'received',
    messageId,
    at: RECEIVED_AT,
    command: 'DemoPing',
    tenantId: 'tenant-1',
    correlatedId: null,
    data: `{"id":"${messageId}"}`,
    source: null,
    occurredAt: null,
    enqueuedAt: null,
    envelope: 'cloudevents',
    ...overrides,
  };
}

/** An outcome as a segment reports it. */
export function outcome(messageId: string, overrides: Partial<Outcome> = {}): Outcome {
  return {
    messageId,
    attempt: 1,
    status: 'succeeded',
    startedAt: '2026-11-28T10:00:01.000Z',
    finishedAt: '2026-11-28T10:00:02.000Z',
    ...overrides,
  } as Outcome;
}

let offset = 0;

/** A consumed record carrying `record`, as the BatchConsumer hands it to a handler. */
export function consumed(topic: string, record: EventRecord): ConsumedMessage {
  return {
    topic,
    partition: 0,
    offset: String(offset++),
    key: record.key,
    value: Buffer.from(record.value),
    headers: { ...record.headers },
    timestamp: NOW.getTime(),
  };
}

/** A consumed `received` event. */
export function consumedEvent(event: ReceivedEvent): ConsumedMessage {
  return consumed(TOPICS.events, lifecycleEventRecord(event));
}

/** A consumed outcome. */
export function consumedMarker(value: AttemptStarted): ConsumedMessage {
  return consumed(TOPICS.outcomes, attemptStartedRecord(value));
}

export function consumedOutcome(value: Outcome): ConsumedMessage {
  return consumed(TOPICS.outcomes, outcomeRecord(value));
}

/** A consumed record with a raw value and no headers, as a buggy or foreign producer might write it. */
export function consumedRaw(topic: string, value: string, key = 'raw'): ConsumedMessage {
  return consumed(topic, { key, value });
}

/** A stored downstream row. */
export function storedRow(id: string, overrides: Partial<MessageEntity> = {}): MessageEntity {
  return toEntity({
    id,
    direction: MessageDirection.Downstream,
    command: 'DemoPing',
    tenantId: 'tenant-1',
    data: `{"id":"${id}"}`,
    status: MessageStatus.Pending,
    createdAt: new Date(RECEIVED_AT),
    ...overrides,
  });
}

function toEntity(m: NewMessage): MessageEntity {
  return Object.assign(new MessageEntity(), {
    audience: null,
    tenantId: null,
    correlatedId: null,
    attempts: 0,
    nextAttemptAt: null,
    updatedAt: m.createdAt,
    lastError: null,
    ...m,
  });
}
