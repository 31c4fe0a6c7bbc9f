import type { LoggerService } from '@nestjs/common';
import { type Clock, crashPoint, messageLogLine } from '@smartlink/common';
import {
  type CommandMessage,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type ReceivedEvent,
  type TopicNames,
} from '@smartlink/messaging';
import {
  MessageDirection,
  MessageStatus,
  type MessageEntity,
  type MessageExecStore,
  type MessageStore,
  type NewMessage,
} from '@smartlink/rm-tables';
import type { ExecutorCounters } from '../metrics/executor-counters';
import type { ExecutorMetrics } from '../metrics/executor-metrics';
import { CommandDispatcher } from './command-dispatcher';
import type { CommandTopics } from './command-topics';
import { rejectedEventRecords } from '../records/executor-records';
import type { MessageLog } from '../records/message-log';
import { readReceivedEvents, type RejectedEvent } from './read-received-events';

/** What {@link ReceivedEventHandler} works with; narrow, so unit tests pass typed doubles. */
export interface ReceivedEventHandlerDeps {
  readonly messages: Pick<
    MessageStore,
    'insertIgnoringDuplicates' | 'findByIds' | 'deleteSucceeded' | 'markDispatched'
  >;
  readonly attempts: Pick<MessageExecStore, 'findSucceededMessageIds'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'logs' | 'deadletter' | 'command'>;
  readonly commandTopics: Pick<CommandTopics, 'ensure'>;
  readonly counters: ExecutorCounters;
  /** Remembers the cloud enqueue time of messages stored now, for the critical time. */
  readonly metrics: Pick<ExecutorMetrics, 'received'>;
  /** Lines about one message: stdout and `<ns>.logs`. */
  readonly messageLog: MessageLog;
  readonly clock: Clock;
  readonly logger: LoggerService;
  /** DISPATCH_TIMEOUT_MS: the commands' start deadlines are counted from it. */
  readonly dispatchTimeoutMs: number;
}

/** What the projection of a chunk decided: the attempts to publish, and the logs of messages not executed. */
interface Projection {
  readonly commands: CommandMessage[];
  /** Logs of messages not executed. */
  readonly logs: EventRecord[];
}

/**
 * Consumes `received` events of `<ns>.received` (and, during an upgrade, those an older poller left on
 * `<ns>.events`): projects each message into GTOTVSLINKMESSAGE and hands it to its segment on `<ns>.cmd.<Command>`.
 * Per chunk, in this order, each step durable before the next: insert the rows (duplicates ignored), publish every
 * row still pending in one batch, mark them dispatched; only then does {@link handle} resolve and the offsets
 * commit. A crash anywhere in between redelivers the chunk, which repeats at most the publish of the same (message
 * id, attempt) — which segments deduplicate.
 *
 * The command record is the dispatch: its record timestamp says when, its `smartlink-start-by` header until when the
 * attempt may start. No `dispatched` event repeats it on the event log.
 */
export class ReceivedEventHandler {
  private readonly dispatcher: CommandDispatcher;

  constructor(private readonly deps: ReceivedEventHandlerDeps) {
    this.dispatcher = new CommandDispatcher(deps);
  }

  /** Handles one chunk of `<ns>.received` or `<ns>.events`; resolves once its effects are durable. */
  async handle(records: readonly ConsumedMessage[]): Promise<void> {
    const { counters, topics } = this.deps;
    const now = this.deps.clock.now();
    const chunk = readReceivedEvents(records);
    counters.ignoredEvents += chunk.ignored;
    counters.duplicateMessages += chunk.repeated;
    counters.received += chunk.received.length;

    const logs: EventRecord[] = [];
    if (chunk.received.length > 0) {
      const { commands, logs: notExecuted } = await this.project(chunk.received, now);
      logs.push(...notExecuted);
      crashPoint('executor.after-project');
      const published = await this.dispatcher.publish(commands, { dispatchedAt: now });
      if (published.length > 0) {
        await this.deps.messages.markDispatched(
          published.map((command) => ({ id: command.id, attempt: command.attempt })),
          now,
        );
      }
    }

    const deadLetters: EventRecord[] = [];
    for (const rejected of chunk.rejected) {
      this.reportRejected(rejected);
      const records = rejectedEventRecords(rejected, now);
      deadLetters.push(records.deadLetter);
      logs.push(records.log);
    }
    counters.rejectedEvents += chunk.rejected.length;

    await this.deps.producer.sendBatch([
      { topic: topics.deadletter, records: deadLetters },
      { topic: topics.logs, records: logs },
    ]);
  }

  /**
   * Writes the rows and decides what to publish: every row of the chunk still pending, whether inserted now or left
   * pending by a crash between insert and publish. A message with a successful attempt is never published again;
   * its row, re-inserted by this very chunk or left by a crash, is removed again. The success check runs after the
   * insert so that an outcome recorded concurrently is seen either here or by its own delete.
   */
  private async project(events: readonly ReceivedEvent[], now: Date): Promise<Projection> {
    const { messages, attempts, counters, logger, messageLog } = this.deps;
    const logs: EventRecord[] = [];
    const byId = new Map(events.map((event) => [event.messageId, event]));
    const inserted = new Set(await messages.insertIgnoringDuplicates(events.map((e) => newMessage(e, now))));
    this.deps.metrics.received(events.filter((event) => inserted.has(event.messageId)));
    const succeeded = new Set(await attempts.findSucceededMessageIds([...byId.keys()]));
    if (succeeded.size > 0) await messages.deleteSucceeded([...succeeded]);

    const commands = events
      .filter((event) => inserted.has(event.messageId) && !succeeded.has(event.messageId))
      .map((event) => commandOf(event));
    const fresh = commands.length;
    const stored = events.filter(
      (event) => !inserted.has(event.messageId) && !succeeded.has(event.messageId),
    );
    if (stored.length > 0) {
      for (const row of await messages.findByIds(stored.map((event) => event.messageId))) {
        const event = byId.get(row.id);
        if (!event) continue;
        if (row.direction !== MessageDirection.Downstream) {
          logs.push(
            messageLog.error(
              `Received message ${row.id} shares its id with an upstream message; it is not executed`,
              { messageId: row.id, command: event.command, correlationId: event.correlatedId },
              now,
            ),
          );
        } else if (row.status === MessageStatus.Pending) {
          commands.push(commandOfRow(row, event));
        }
        // Nothing to do for the others. A row marked dispatched was published before it was marked, so its command
        // record, which is the dispatch, is on the topic already; waiting retry and dead are the retry scheduler's.
      }
    }

    const seenAgain = events.length - fresh;
    if (seenAgain > 0) {
      counters.duplicateMessages += seenAgain;
      logger.debug?.(
        `${seenAgain} message(s) seen again: ${succeeded.size} succeeded already and are not executed again, ` +
          `${commands.length - fresh} left pending by a crash are published again`,
      );
      for (const id of succeeded) {
        const event = byId.get(id);
        logs.push(
          messageLog.info(
            `Received message ${id} again; it succeeded already and is not executed again`,
            { messageId: id, command: event?.command ?? null, correlationId: event?.correlatedId ?? null },
            now,
          ),
        );
      }
    }
    return { commands, logs };
  }

  private reportRejected({ record, reason, error, message }: RejectedEvent): void {
    const text =
      `Refused the received event at ${record.topic}[${record.partition}]@${record.offset}` +
      `${message.messageId === null ? '' : ` (message ${JSON.stringify(message.messageId)})`}, ` +
      `dead-lettered as ${reason}: ${error.message}`;
    // Its log record for <ns>.logs is built with the dead letter (rejectedEventRecords).
    this.deps.logger.error(
      message.messageId === null
        ? text
        : messageLogLine(text, {
            messageId: message.messageId,
            command: message.command,
            correlationId: message.correlatedId,
          }),
    );
  }
}

/** The row of a newly received message: downstream, pending, no attempt made yet. */
function newMessage(event: ReceivedEvent, now: Date): NewMessage {
  return {
    id: event.messageId,
    direction: MessageDirection.Downstream,
    command: event.command,
    tenantId: event.tenantId,
    correlatedId: event.correlatedId,
    data: event.data,
    status: MessageStatus.Pending,
    attempts: 0,
    nextAttemptAt: null,
    createdAt: new Date(event.at),
    updatedAt: now,
  };
}

/** The first attempt of a message inserted by this chunk. */
function commandOf(event: ReceivedEvent): CommandMessage {
  return {
    id: event.messageId,
    command: event.command,
    tenantId: event.tenantId,
    correlatedId: event.correlatedId,
    attempt: 1,
    data: event.data,
    receivedAt: event.at,
  };
}

/** The next attempt of a stored row still pending; the row, not the redelivered event, is what is executed. */
function commandOfRow(row: MessageEntity, event: ReceivedEvent): CommandMessage {
  return {
    id: row.id,
    command: row.command,
    tenantId: row.tenantId,
    correlatedId: row.correlatedId,
    attempt: row.attempts + 1,
    data: row.data,
    receivedAt: event.at,
  };
}
