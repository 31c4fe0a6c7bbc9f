import type { LoggerService } from '@nestjs/common';
import {
  isLostDuringHandler,
  type BatchContext,
  type CommandMessage,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type RetryDueEvent,
  type TopicNames,
} from '@smartlink/messaging';
import { MessageDirection, MessageStatus, type MessageEntity, type MessageStore } from '@smartlink/rm-tables';
import type { Clock } from '@smartlink/common';
import type { CommandDispatcher } from '../downstream/command-dispatcher';
import type { ExecutorCounters } from '../metrics/executor-counters';
import type { MessageLog } from '../records/message-log';
import { ExecutorStoppingError } from '../upstream/executor-stopping-error';
import type { UpstreamAttempt, UpstreamSender } from '../upstream/upstream-sender';
import { readRetryDueEvents } from './read-retry-due-events';

/** What {@link RetryDueHandler} works with; narrow, so unit tests pass typed doubles. */
export interface RetryDueHandlerDeps {
  readonly messages: Pick<MessageStore, 'findByIds'>;
  readonly dispatcher: Pick<CommandDispatcher, 'publish'>;
  readonly sender: Pick<UpstreamSender, 'send'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'logs'>;
  readonly counters: ExecutorCounters;
  readonly messageLog: MessageLog;
  readonly clock: Clock;
  readonly logger: LoggerService;
}

/**
 * Runs the retries the retry scheduler hands over as `retry-due` events on `<ns>.events`. The scheduler has claimed
 * each message (STATUS dispatched, `TENTATIVAS` = the event's attempt - 1); the executor loads the row and runs that
 * attempt: downstream, it publishes the `CommandMessage` of the attempt to the segment, and that command record is
 * the dispatch (the outcome comes back on `<ns>.outcomes` as for any attempt); upstream, it sends the message to the cloud and
 * records the attempt. An event whose row is gone (succeeded, purged) or no longer at that attempt (a redelivered or
 * superseded event) is stale and skipped, so a retry never runs twice from one claim.
 */
export class RetryDueHandler {
  constructor(private readonly deps: RetryDueHandlerDeps) {}

  async handle(
    records: readonly ConsumedMessage[],
    context?: Pick<BatchContext, 'heartbeat'>,
  ): Promise<void> {
    const { counters, logger } = this.deps;
    const { due, malformed } = readRetryDueEvents(records);
    for (const { record, error } of malformed) {
      counters.malformedRetries += 1;
      logger.error(
        `Skipped a retry-due event that cannot be read, at ${record.topic}[${record.partition}]@${record.offset}: ` +
          `${error?.message ?? 'not a retry-due event'}`,
      );
    }
    if (due.length === 0) return;

    const rows = new Map(
      (await this.deps.messages.findByIds([...new Set(due.map((e) => e.messageId))])).map((row) => [
        row.id,
        row,
      ]),
    );
    const commands: CommandMessage[] = [];
    const sends: UpstreamAttempt[] = [];
    // A message whose last attempt died with its handler may be a poison message: its retry runs alone.
    const runAlone = new Set<string>();
    const skipped: EventRecord[] = [];
    const now = this.deps.clock.now();
    for (const event of due) {
      const row = rows.get(event.messageId);
      const stale = staleness(event, row);
      if (stale !== null || !row) {
        counters.staleRetries += 1;
        skipped.push(
          this.deps.messageLog.info(
            `Skipped retry-due attempt ${event.attempt} of message ${event.messageId}: ${stale}`,
            {
              messageId: event.messageId,
              command: event.command,
              attempt: event.attempt,
              correlationId: row?.correlatedId ?? null,
            },
            now,
          ),
        );
        continue;
      }
      counters.retriesDue += 1;
      if (event.direction === 'downstream') {
        commands.push(commandOf(row, event.attempt));
        if (isLostDuringHandler(row.lastError)) runAlone.add(row.id);
      } else sends.push({ message: row, attempt: event.attempt });
    }

    if (skipped.length > 0) {
      await this.deps.producer.sendBatch([{ topic: this.deps.topics.logs, records: skipped }]);
    }
    if (commands.length > 0) {
      // The retry scheduler's claim set DATAATUALIZACAO: the sweep counts the dispatch timeout from it.
      await this.deps.dispatcher.publish(commands, {
        runAlone,
        dispatchedAt: new Map(commands.map((c) => [c.id, (rows.get(c.id) as MessageEntity).updatedAt])),
      });
    }
    const report = await this.deps.sender.send(sends, context?.heartbeat);
    if (report.handedBack > 0) throw new ExecutorStoppingError(report.handedBack);
  }
}

/** Why the event no longer describes its row, or null when the attempt is to run now. */
function staleness(event: RetryDueEvent, row: MessageEntity | undefined): string | null {
  if (!row) return 'the message is gone (it succeeded, or was purged)';
  const direction = event.direction === 'upstream' ? MessageDirection.Upstream : MessageDirection.Downstream;
  if (row.direction !== direction)
    return `the stored message travels ${event.direction === 'upstream' ? 'downstream' : 'upstream'}`;
  if (row.status !== MessageStatus.Dispatched) return `the message is not claimed (STATUS ${row.status})`;
  if (row.attempts !== event.attempt - 1) {
    return `the message is at attempt ${row.attempts + 1}, not ${event.attempt}`;
  }
  return null;
}

/** The attempt of a stored downstream row, as its segment gets it. */
function commandOf(row: MessageEntity, attempt: number): CommandMessage {
  return {
    id: row.id,
    command: row.command,
    tenantId: row.tenantId,
    correlatedId: row.correlatedId,
    attempt,
    data: row.data,
    receivedAt: row.createdAt.toISOString(),
  };
}
