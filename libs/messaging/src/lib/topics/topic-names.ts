import { isCommandName, parseCommandName } from '@smartlink/contract';
import { IllegalTopicNamespaceError } from './illegal-topic-namespace-error';

/**
 * The names of the external topics (AsyncAPI contract) and of the internal event log, all under one configurable namespace so several
 * installations can share a cluster. Command names become part of a topic name only through
 * {@link TopicNames.command}, which validates them: an illegal name throws and never becomes a topic.
 */
export class TopicNames {
  /** executor → segments: what segments report back about each attempt. */
  readonly outcomes: string;
  /** segments → executor: messages segments send up to the cloud. */
  readonly outbound: string;
  /** anyone → log-writer: records for GTOTVSLINKLOG. */
  readonly logs: string;
  /** retry-scheduler → operators: messages that will not be retried any more. */
  readonly deadletter: string;
  /** Internal: poller → executor, one `received` event per message taken from the cloud, keyed by message id. */
  readonly received: string;
  /**
   * Internal: the message lifecycle event log (failed, retry-scheduled, retry-due...), keyed by message id. Its
   * `received` events are those an older poller wrote; the executor still reads them during an upgrade.
   */
  readonly events: string;

  /** @throws IllegalTopicNamespaceError when `namespace` is not a legal topic prefix. */
  constructor(readonly namespace: string) {
    // Same charset and bound as command names, so `<namespace>.cmd.<Command>` stays under Kafka's 249 characters.
    if (!isCommandName(namespace)) throw new IllegalTopicNamespaceError();
    this.outcomes = `${namespace}.outcomes`;
    this.outbound = `${namespace}.outbound`;
    this.logs = `${namespace}.logs`;
    this.deadletter = `${namespace}.deadletter`;
    this.received = `${namespace}.received`;
    this.events = `${namespace}.events`;
  }

  /**
   * `<namespace>.cmd.<Command>`: the topic a segment subscribes to for one command (message type).
   * @throws IllegalCommandNameError (from `@smartlink/contract`) when `commandName` may not become a topic.
   */
  command(commandName: string): string {
    return `${this.namespace}.cmd.${parseCommandName(commandName)}`;
  }
}
