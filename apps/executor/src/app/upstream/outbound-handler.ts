import { type Clock, messageLogLine } from '@smartlink/common';
import type { LoggerService } from '@nestjs/common';
import type { SmartLinkTransport } from '@smartlink/contract';
import {
  lifecycleEventRecord,
  type BatchContext,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type PublishedEvent,
  type TopicNames,
} from '@smartlink/messaging';
import {
  AttemptStatus,
  MessageDirection,
  MessageStatus,
  type MessageExecStore,
  type MessageStore,
  type NewMessage,
} from '@smartlink/rm-tables';
import { InvalidMessageFieldError } from '../downstream/invalid-message-field-error';
import type { ExecutorCounters } from '../metrics/executor-counters';
import { rejectedOutboundRecords } from '../records/executor-records';
import { ExecutorStoppingError } from './executor-stopping-error';
import { readOutboundMessages, type PublishedMessage, type RejectedOutbound } from './read-outbound-messages';
import type { UpstreamAttempt, UpstreamMessage, UpstreamSender } from './upstream-sender';

/** What the rows of a chunk came to: what to send, which of it is still pending, and what to refuse. */
interface Stored {
  readonly toSend: Map<string, UpstreamMessage>;
  /** Rows pending, inserted now or left by a crash: to be marked dispatched and reported published. */
  readonly pending: Set<string>;
  readonly rejected: RejectedOutbound[];
}

/** What {@link OutboundHandler} works with; narrow, so unit tests pass typed doubles. */
export interface OutboundHandlerDeps {
  readonly messages: Pick<
    MessageStore,
    'insertIgnoringDuplicates' | 'findByIds' | 'deleteSucceeded' | 'markDispatched'
  >;
  readonly attempts: Pick<MessageExecStore, 'findByMessageIds'>;
  /** For the tenant of the RAC token, which becomes the rows' TENANTID. */
  readonly cloud: Pick<SmartLinkTransport, 'tenantId'>;
  readonly sender: Pick<UpstreamSender, 'send'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'events' | 'logs' | 'deadletter'>;
  readonly counters: ExecutorCounters;
  readonly clock: Clock;
  readonly logger: LoggerService;
}

/**
 * Consumes `<ns>.outbound`, what segments publish for the cloud. Per chunk, in this order, each step durable before
 * the next: insert the rows into GTOTVSLINKMESSAGE (DIRECAO 0, pending; ids stored before are absorbed), remove again
 * rows of messages sent successfully before, emit `published` events (and dead letters and error logs for records
 * that cannot be read), mark the rows to send dispatched, send them all concurrently and record every attempt. Only
 * then does {@link handle} resolve and the offsets commit.
 *
 * A message is sent for its first attempt while its row has no attempt recorded; after that its retries belong to the
 * retry scheduler. A crash before the attempts are recorded redelivers the chunk, and the rows it left pending or
 * dispatched without an attempt are sent again (at least once; the envelope id lets the cloud spot the repeat).
 */
export class OutboundHandler {
  constructor(private readonly deps: OutboundHandlerDeps) {}

  /** Handles one chunk of the outbound topic; resolves once its effects are durable. */
  async handle(
    records: readonly ConsumedMessage[],
    context?: Pick<BatchContext, 'heartbeat'>,
  ): Promise<void> {
    const { counters, topics } = this.deps;
    const now = this.deps.clock.now();
    const chunk = readOutboundMessages(records, now);
    counters.duplicateOutbound += chunk.repeated;
    const rejected = [...chunk.rejected];

    let stored: Stored = { toSend: new Map(), pending: new Set(), rejected: [] };
    if (chunk.messages.length > 0) {
      stored = await this.store(chunk.messages, now);
      rejected.push(...stored.rejected);
    }
    const published = [...stored.pending].map((id) =>
      publishedEvent(stored.toSend.get(id) as UpstreamMessage, now),
    );

    const deadLetters: EventRecord[] = [];
    const logs: EventRecord[] = [];
    for (const refused of rejected) {
      this.reportRejected(refused);
      const out = rejectedOutboundRecords(refused, now);
      deadLetters.push(out.deadLetter);
      logs.push(out.log);
    }
    counters.rejectedOutbound += rejected.length;
    await this.deps.producer.sendBatch([
      { topic: topics.events, records: published.map(lifecycleEventRecord) },
      { topic: topics.deadletter, records: deadLetters },
      { topic: topics.logs, records: logs },
    ]);

    const sends = await this.dispatch(stored, now);
    const report = await this.deps.sender.send(sends, context?.heartbeat);
    if (report.handedBack > 0) throw new ExecutorStoppingError(report.handedBack);
  }

  /**
   * Marks the pending rows dispatched for attempt 1 and returns what to send: those rows, and the rows a previous run
   * dispatched without recording the attempt. A pending row another run dispatched meanwhile is that run's to send.
   */
  private async dispatch({ toSend, pending }: Stored, now: Date): Promise<UpstreamAttempt[]> {
    const dispatched = new Set(
      pending.size > 0
        ? await this.deps.messages.markDispatched(
            [...pending].map((id) => ({ id, attempt: 1 })),
            now,
          )
        : [],
    );
    const sends: UpstreamAttempt[] = [];
    for (const [id, message] of toSend) {
      if (pending.has(id) && !dispatched.has(id)) continue;
      sends.push({ message, attempt: 1 });
    }
    return sends;
  }

  /**
   * Writes the rows and decides what to send: every upstream row of the chunk without an attempt recorded, whether
   * inserted now or left by a crash. A message with a successful attempt is never sent again; its row, re-inserted
   * by this very chunk, is removed again. The history is read after the insert, as downstream, so that an attempt
   * recorded concurrently is seen either here or by its own delete.
   */
  private async store(messages: readonly PublishedMessage[], now: Date): Promise<Stored> {
    const { counters, logger } = this.deps;
    const tenantId = await this.tenantId();
    const rows = messages.map((m) => newRow(m, tenantId, now));
    const inserted = new Set(await this.deps.messages.insertIgnoringDuplicates(rows));
    const { succeeded, received } = await this.history(messages.map((m) => m.id));
    // Rows of messages sent before go, whether this chunk re-inserted them or a crash left them behind after the
    // attempt was recorded and before its row was deleted; rows this chunk inserted under a received id go too.
    const undo = [
      ...new Set([
        ...messages.map((m) => m.id).filter((id) => succeeded.has(id)),
        ...[...inserted].filter((id) => received.has(id)),
      ]),
    ];
    if (undo.length > 0) await this.deps.messages.deleteSucceeded(undo);
    const done = (id: string) => succeeded.has(id) || received.has(id);
    const fresh = [...inserted].filter((id) => !done(id)).length;
    counters.outbound += fresh;
    counters.duplicateOutbound += messages.length - fresh;

    const toSend = new Map<string, UpstreamMessage>();
    const pending = new Set<string>();
    const rejected: RejectedOutbound[] = [];
    for (const message of messages) {
      if (received.has(message.id)) {
        rejected.push(collision(message));
      } else if (inserted.has(message.id) && !succeeded.has(message.id)) {
        toSend.set(message.id, upstreamMessage(message));
        pending.add(message.id);
      }
    }
    const seenBefore = messages.filter((m) => !inserted.has(m.id) && !done(m.id));
    if (seenBefore.length > 0) {
      const byId = new Map(seenBefore.map((m) => [m.id, m]));
      for (const row of await this.deps.messages.findByIds(seenBefore.map((m) => m.id))) {
        const message = byId.get(row.id);
        if (!message) continue;
        if (row.direction !== MessageDirection.Upstream) {
          rejected.push(collision(message));
        } else if (row.attempts === 0 && row.status === MessageStatus.Pending) {
          toSend.set(row.id, row);
          pending.add(row.id);
        } else if (row.attempts === 0 && row.status === MessageStatus.Dispatched) {
          // Dispatched by a run that never recorded the attempt (a crash, or a shutdown that handed it back).
          toSend.set(row.id, row);
        }
      }
      logger.debug?.(
        `${seenBefore.length} outbound message(s) seen again; those without an attempt are sent again`,
      );
    }

    return { toSend, pending, rejected };
  }

  /**
   * What the history says of these ids: those sent successfully upstream, which are never sent again, and those of
   * messages received from the cloud, whose id an upstream message may not take even after their rows are gone.
   */
  private async history(ids: readonly string[]): Promise<{ succeeded: Set<string>; received: Set<string> }> {
    const succeeded = new Set<string>();
    const received = new Set<string>();
    for (const row of await this.deps.attempts.findByMessageIds(ids)) {
      if (row.direction !== MessageDirection.Upstream) received.add(row.messageId);
      else if (row.status === AttemptStatus.Success) succeeded.add(row.messageId);
    }
    return { succeeded, received };
  }

  /** The tenant of the RAC token; null (logged) when no token can be had now: the sends will fail and be retried. */
  private async tenantId(): Promise<string | null> {
    try {
      return await this.deps.cloud.tenantId();
    } catch (error) {
      this.deps.logger.warn(
        `No RAC token for the tenant of new upstream messages, stored without TENANTID: ${(error as Error).message}`,
      );
      return null;
    }
  }

  private reportRejected({ record, reason, error, messageId }: RejectedOutbound): void {
    const text =
      `Refused the outbound record at ${record.topic}[${record.partition}]@${record.offset}` +
      `${messageId === null ? '' : ` (message ${JSON.stringify(messageId)})`}, dead-lettered as ${reason}: ` +
      error.message;
    // Its log record for <ns>.logs is built with the dead letter (rejectedOutboundRecords).
    this.deps.logger.error(messageId === null ? text : messageLogLine(text, { messageId }));
  }
}

/** The row of a newly published message: upstream, pending, no attempt made yet. */
function newRow(
  { id, message, publishedAt }: PublishedMessage,
  tenantId: string | null,
  now: Date,
): NewMessage {
  return {
    id,
    direction: MessageDirection.Upstream,
    command: message.command,
    audience: message.audience,
    tenantId,
    correlatedId: message.correlatedId ?? null,
    data: message.data,
    status: MessageStatus.Pending,
    attempts: 0,
    nextAttemptAt: null,
    createdAt: publishedAt,
    updatedAt: now,
  };
}

/** What a send needs of a message inserted now: the values its row was written with. */
function upstreamMessage({ id, message, publishedAt }: PublishedMessage): UpstreamMessage {
  return {
    id,
    command: message.command,
    audience: message.audience,
    correlatedId: message.correlatedId ?? null,
    data: message.data,
    createdAt: publishedAt,
  };
}

function publishedEvent(message: UpstreamMessage, now: Date): PublishedEvent {
  return {
    type: 'published',
    messageId: message.id,
    at: now.toISOString(),
    command: message.command,
    audience: message.audience ?? '',
    correlatedId: message.correlatedId,
  };
}

/** An outbound message whose id a downstream message holds already: dead-lettered, never sent under that id. */
function collision({ record, id, message }: PublishedMessage): RejectedOutbound {
  return {
    record,
    reason: 'malformed',
    error: new InvalidMessageFieldError('id', 'is the id of a message received from the cloud'),
    messageId: id,
    command: message.command,
    correlatedId: message.correlatedId ?? null,
    data: message.data,
  };
}
