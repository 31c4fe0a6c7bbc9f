import type { LoggerService } from '@nestjs/common';
import { IllegalCommandNameError } from '@smartlink/contract';
import {
  commandMessageRecord,
  type CommandMessage,
  type EventProducer,
  type EventRecord,
  type TopicNames,
  type TopicRecords,
} from '@smartlink/messaging';
import type { ExecutorCounters } from '../metrics/executor-counters';
import type { CommandTopics } from './command-topics';

/** What {@link CommandDispatcher} works with. */
export interface CommandDispatcherDeps {
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'command'>;
  readonly commandTopics: Pick<CommandTopics, 'ensure'>;
  readonly counters: Pick<ExecutorCounters, 'published'>;
  readonly logger: LoggerService;
}

/**
 * Hands attempts of downstream messages to their segments: publishes each `CommandMessage` to `<ns>.cmd.<Command>`,
 * grouped by topic, in one batch, after making sure the topics exist. Used for first attempts (received events) and
 * retries (retry-due events).
 */
export class CommandDispatcher {
  constructor(private readonly deps: CommandDispatcherDeps) {}

  /** Publishes the attempts; resolves with those published once Kafka has them all. */
  async publish(commands: readonly CommandMessage[]): Promise<CommandMessage[]> {
    const published: CommandMessage[] = [];
    const byTopic = new Map<string, EventRecord[]>();
    for (const command of commands) {
      let topic: string;
      try {
        // Validated before it was stored; TopicNames checks once more, so no stored row can ever become a topic name.
        topic = this.deps.topics.command(command.command);
      } catch (error) {
        if (!(error instanceof IllegalCommandNameError)) throw error;
        this.deps.logger.error(`Message ${command.id} is not executed: ${error.message}`);
        continue;
      }
      const records = byTopic.get(topic) ?? [];
      records.push(commandMessageRecord(command));
      byTopic.set(topic, records);
      published.push(command);
    }
    if (published.length === 0) return published;
    await this.deps.commandTopics.ensure([...byTopic.keys()]);
    const batches: TopicRecords[] = [...byTopic].map(([topic, records]) => ({ topic, records }));
    await this.deps.producer.sendBatch(batches);
    this.deps.counters.published += published.length;
    return published;
  }
}
