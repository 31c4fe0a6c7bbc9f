import { IllegalCommandNameError } from '@smartlink/contract';
import {
  commandMessageRecord,
  startDeadline,
  type CommandMessage,
  type EventProducer,
  type EventRecord,
  type TopicNames,
  type TopicRecords,
} from '@smartlink/messaging';
import type { ExecutorCounters } from '../metrics/executor-counters';
import type { MessageLog } from '../records/message-log';
import type { Clock } from '@smartlink/common';
import type { CommandTopics } from './command-topics';

/** What {@link CommandDispatcher} works with. */
export interface CommandDispatcherDeps {
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'command' | 'logs'>;
  readonly commandTopics: Pick<CommandTopics, 'ensure'>;
  readonly counters: Pick<ExecutorCounters, 'published'>;
  readonly messageLog: MessageLog;
  readonly clock: Clock;
  /** DISPATCH_TIMEOUT_MS, as the retry scheduler sweeps by it: each record carries its start deadline from it. */
  readonly dispatchTimeoutMs: number;
}

/** How one publish marks its records. */
export interface PublishOptions {
  /**
   * When each attempt counts as dispatched for the retry scheduler's sweep (the row's DATAATUALIZACAO): one instant
   * for all, or per message id. The record's start deadline is counted from it.
   */
  readonly dispatchedAt: Date | ReadonlyMap<string, Date>;
  /** Ids of messages whose previous attempt was lost while its handler ran: their records carry run-alone. */
  readonly runAlone?: ReadonlySet<string>;
}

/**
 * Hands attempts of downstream messages to their segments: publishes each `CommandMessage` to `<ns>.cmd.<Command>`,
 * grouped by topic, in one batch, after making sure the topics exist. Used for first attempts (received events) and
 * retries (retry-due events).
 */
export class CommandDispatcher {
  constructor(private readonly deps: CommandDispatcherDeps) {}

  /**
   * Publishes the attempts; resolves with those published once Kafka has them all. Each record carries its start
   * deadline (`smartlink-start-by`), half the dispatch timeout after `dispatchedAt`: a segment does not start it
   * later, when the sweep may already have counted it as failed. An attempt whose command cannot be a topic is not
   * executed; its error log goes to stdout and `<ns>.logs` in the same batch.
   */
  async publish(commands: readonly CommandMessage[], options: PublishOptions): Promise<CommandMessage[]> {
    const { dispatchedAt, runAlone } = options;
    const published: CommandMessage[] = [];
    const logs: EventRecord[] = [];
    const byTopic = new Map<string, EventRecord[]>();
    for (const command of commands) {
      let topic: string;
      try {
        // Validated before it was stored; TopicNames checks once more, so no stored row can ever become a topic name.
        topic = this.deps.topics.command(command.command);
      } catch (error) {
        if (!(error instanceof IllegalCommandNameError)) throw error;
        logs.push(
          this.deps.messageLog.error(
            `Message ${command.id} is not executed: ${error.message}`,
            {
              messageId: command.id,
              command: command.command,
              attempt: command.attempt,
              correlationId: command.correlatedId,
            },
            this.deps.clock.now(),
          ),
        );
        continue;
      }
      const records = byTopic.get(topic) ?? [];
      const at = dispatchedAt instanceof Date ? dispatchedAt : dispatchedAt.get(command.id);
      if (at === undefined) throw new Error(`no dispatch time given for message ${command.id}`);
      records.push(
        commandMessageRecord(command, {
          runAlone: runAlone?.has(command.id) === true,
          startBy: startDeadline(at, this.deps.dispatchTimeoutMs),
        }),
      );
      byTopic.set(topic, records);
      published.push(command);
    }
    if (byTopic.size > 0) await this.deps.commandTopics.ensure([...byTopic.keys()]);
    const batches: TopicRecords[] = [...byTopic].map(([topic, records]) => ({ topic, records }));
    if (logs.length > 0) batches.push({ topic: this.deps.topics.logs, records: logs });
    if (batches.length > 0) await this.deps.producer.sendBatch(batches);
    this.deps.counters.published += published.length;
    return published;
  }
}
