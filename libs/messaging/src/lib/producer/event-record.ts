/** One record to produce. `value` is sent as is; our topics carry UTF-8 JSON. */
export interface EventRecord {
  /** Partitioning key; our topics key by message id, so one message's events stay in order. */
  readonly key: string;
  readonly value: string | Buffer;
  /** UTF-8 headers (message id, attempt, command, correlation id, ...). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Records for one topic, for {@link EventProducer.sendBatch}. */
export interface TopicRecords {
  readonly topic: string;
  readonly records: readonly EventRecord[];
}
