import {
  KafkaClient,
  logRecordCodec,
  outboundMessageCodec,
  decodeOutcomesTopicValue,
  isAttemptStarted,
  type AttemptStarted,
  parseKafkaSettings,
  type CommandMessage,
  commandMessageRecord,
  type EventProducer,
  type EventRecord,
  type KafkaSettings,
  type LogRecord,
  type OutboundMessage,
  type Outcome,
  TopicNames,
} from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';

/** Settings for the broker the jest global setup made sure answers; quick retries keep failure paths short. */
export function testKafkaSettings(namespace: string): KafkaSettings {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run these tests through the `integration` target');
  return parseKafkaSettings({
    KAFKA_BROKERS: brokers,
    KAFKA_CLIENT_ID: 'segment-sdk-int-spec',
    SMARTLINK_TOPIC_NAMESPACE: namespace,
    KAFKA_TOPIC_PARTITIONS: '2',
    KAFKA_RETRY_INITIAL_MS: '100',
    KAFKA_RETRY_MAX_MS: '1000',
    KAFKA_LOG_LEVEL: 'nothing',
  });
}

/** A message the segment published on `<ns>.outbound`, with its key and headers. */
export interface ObservedOutbound {
  readonly id: string | null;
  readonly message: OutboundMessage;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The executor's side of a segment, played by the test: produces command messages and reads what the segment
 * reports on `<ns>.outcomes`, `<ns>.logs` and `<ns>.outbound`, through its own client and consumer group,
 * independent of the SDK.
 */
export class KafkaObserver {
  readonly topics: TopicNames;
  readonly outcomes: Outcome[] = [];
  /** Started markers, in arrival order. */
  readonly markers: AttemptStarted[] = [];
  readonly logs: LogRecord[] = [];
  readonly outbound: ObservedOutbound[] = [];
  private readonly client: KafkaClient;
  private readonly producer: EventProducer;

  constructor(readonly namespace: string) {
    this.client = new KafkaClient(testKafkaSettings(namespace));
    this.topics = new TopicNames(namespace);
    this.producer = this.client.createProducer();
  }

  /** Joins a group of its own over the outcome and log topics (creating them if the segment has not yet). */
  async start(): Promise<void> {
    const admin = this.client.createAdmin();
    try {
      await admin.ensureTopics(
        [this.topics.outcomes, this.topics.logs, this.topics.outbound].map((t) => this.client.topicSpec(t)),
      );
    } finally {
      await admin.disconnect();
    }
    const consumer = this.client.createConsumer({
      groupId: uniqueName('segment_sdk_observer'),
      topics: [this.topics.outcomes, this.topics.logs, this.topics.outbound],
      handler: async (records) => {
        for (const record of records) {
          if (record.topic === this.topics.outcomes) {
            const decoded = decodeOutcomesTopicValue(record);
            if (!decoded.ok)
              throw new Error(`the segment published an invalid outcome: ${decoded.error.message}`);
            if (isAttemptStarted(decoded.value)) this.markers.push(decoded.value);
            else this.outcomes.push(decoded.value);
          } else if (record.topic === this.topics.outbound) {
            const decoded = outboundMessageCodec.decode(record);
            if (!decoded.ok)
              throw new Error(`the segment published an invalid outbound message: ${decoded.error.message}`);
            this.outbound.push({ id: record.key, message: decoded.value, headers: record.headers });
          } else {
            const decoded = logRecordCodec.decode(record);
            if (!decoded.ok)
              throw new Error(`the segment published an invalid log: ${decoded.error.message}`);
            this.logs.push(decoded.value);
          }
        }
      },
    });
    await consumer.start();
    await waitFor(() => consumer.isRunning(), { description: 'the observer to join its group' });
  }

  /** Produces command messages to `<ns>.cmd.<command>` the way the executor does. */
  async dispatch(...messages: CommandMessage[]): Promise<void> {
    for (const message of messages)
      await this.send(this.topics.command(message.command), commandMessageRecord(message));
  }

  /** Produces any record to a topic, e.g. one that is not a command message. */
  async send(topic: string, record: EventRecord): Promise<void> {
    await this.producer.send(topic, [record]);
  }

  outcomesOf(messageId: string): Outcome[] {
    return this.outcomes.filter((o) => o.messageId === messageId);
  }

  logsOf(messageId: string): LogRecord[] {
    return this.logs.filter((l) => l.messageId === messageId);
  }

  /** Waits until `count` outcomes of the message arrived and returns them. */
  async waitForOutcomes(messageId: string, count = 1): Promise<Outcome[]> {
    return waitFor(() => this.outcomesOf(messageId).length >= count && this.outcomesOf(messageId), {
      description: `${count} outcome(s) of ${messageId}`,
      timeoutMs: 45_000,
    });
  }

  async stop(): Promise<void> {
    await this.client.stopConsumers();
    await this.producer.disconnect();
  }
}

let sequence = 0;

/** A command message with a fresh id. */
export function commandMessage(command: string, overrides: Partial<CommandMessage> = {}): CommandMessage {
  sequence += 1;
  return {
    id: uniqueName(`msg_${sequence}`),
    command,
    tenantId: 'tenant-1',
    correlatedId: null,
    attempt: 1,
    data: '{}',
    receivedAt: new Date().toISOString(),
    ...overrides,
  };
}
