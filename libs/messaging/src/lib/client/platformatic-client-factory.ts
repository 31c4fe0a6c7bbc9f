import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type {
  BaseOptions,
  Consumer,
  ConsumerOptions,
  Producer,
  ProducerOptions,
  SASLOptions,
} from '@platformatic/kafka';
import type { KafkaSettings } from '../settings/kafka-settings';
import type { ConsumerTuning } from './kafka-client-factory';
import { platformaticKafka } from './platformatic-kafka';

/** What our producers send: string keys, string or binary values, UTF-8 headers. */
export type PlatformaticProducer = Producer<string, string | Buffer, string, string>;
/** What our consumers read: everything as the bytes on the wire; `toConsumedMessage` decodes. */
export type PlatformaticConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

/** kafkajs' fetch limits, kept for the same memory profile: @platformatic/kafka's own default is 50 MB for both. */
const FETCH_MAX_BYTES = 10_485_760;
const FETCH_MAX_BYTES_PER_PARTITION = 1_048_576;
/** As for kafkajs (`KafkaClientFactory`): an idle fetch is parked on the broker this long at most. */
const DEFAULT_MAX_WAIT_TIME_MS = 1_000;
/** kafkajs' rebalance timeout (60 s); @platformatic/kafka's default is 102 s. */
const REBALANCE_TIMEOUT_MS = 60_000;
const HEARTBEATS_PER_SESSION = 10;

/**
 * @platformatic/kafka refuses to bound an idempotent producer's retries below 2: it turns 0 and 1 into "retry
 * forever". KAFKA_RETRIES=1 therefore means 2 retries on this client, so that a send to an unreachable cluster still
 * fails (and the poller keeps its message un-acked) instead of hanging.
 */
export const MIN_IDEMPOTENT_RETRIES = 2;

const toBuffer = (data?: string | Buffer): Buffer | undefined =>
  data === undefined ? undefined : Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');

/**
 * Maps our validated settings to @platformatic/kafka options, as `KafkaClientFactory` does for kafkajs, so a setting
 * means the same on both clients: brokers, client id, timeouts, retries with exponential backoff, TLS, SASL.
 * Internal: `KafkaClient` is the public entry point.
 */
export class PlatformaticClientFactory {
  constructor(
    private readonly settings: KafkaSettings,
    /** TLS options as `KafkaClientFactory` read them (the CA file checked once), or undefined for plain text. */
    private readonly tls: TlsOptions | undefined,
    private readonly random: () => number = Math.random,
  ) {}

  /** Connection, TLS, SASL, timeouts and retries, shared by producers and consumers. */
  baseOptions(): BaseOptions {
    const { settings } = this;
    const { initialRetryTimeMs, maxRetryTimeMs } = settings.retry;
    return {
      clientId: settings.clientId,
      bootstrapBrokers: [...settings.brokers],
      connectTimeout: settings.connectionTimeoutMs,
      // Client side, as kafkajs' requestTimeout: how long a request waits for its response.
      requestTimeout: settings.requestTimeoutMs,
      retries: settings.retry.retries,
      // kafkajs' schedule: the first delay doubling up to the longest, each spread by ±20 %.
      retryDelay: (_client: unknown, _operation: string, attempt: number) =>
        Math.round(
          Math.min(initialRetryTimeMs * 2 ** Math.max(attempt - 1, 0), maxRetryTimeMs) *
            (0.8 + this.random() * 0.4),
        ),
      ...(this.tls !== undefined && { tls: this.tls }),
      ...(settings.sasl !== null && { sasl: saslOptions(settings.sasl) }),
    };
  }

  /**
   * The idempotent producer: acks=all, one request in flight per broker (the library enforces it when idempotent),
   * so the broker drops a batch it already has and keeps each partition in order across the client's own retries.
   * Keys go to the partition the Java client (and kafkajs' DefaultPartitioner, and our `keyPartitioner`) chooses:
   * murmur2 of the key, made positive, modulo the partition count.
   */
  producerOptions(): ProducerOptions<string, string | Buffer, string, string> {
    const { ProduceAcks, compatibilityPartitioner } = platformaticKafka();
    return {
      ...this.baseOptions(),
      retries: Math.max(this.settings.retry.retries, MIN_IDEMPOTENT_RETRIES),
      idempotent: true,
      acks: ProduceAcks.ALL,
      partitioner: compatibilityPartitioner,
      autocreateTopics: false,
      serializers: { key: toBuffer, value: toBuffer, headerKey: toBuffer, headerValue: toBuffer },
    };
  }

  createProducer(): PlatformaticProducer {
    return new (platformaticKafka().Producer)(this.producerOptions());
  }

  /**
   * A group member that never commits on its own (`autocommit: false`): `PlatformaticBatchConsumer` commits what its
   * handler finished. With the classic protocol the session and heartbeat come from KAFKA_SESSION_TIMEOUT_MS (or the
   * tuning) as for kafkajs; with KIP-848's `consumer` protocol the broker sets them.
   */
  consumerOptions(tuning: ConsumerTuning): ConsumerOptions<Buffer, Buffer, Buffer, Buffer> {
    const { settings } = this;
    const common = {
      ...this.baseOptions(),
      groupId: tuning.groupId,
      ...(settings.groupInstanceId !== undefined && { groupInstanceId: settings.groupInstanceId }),
      autocommit: false,
      maxWaitTime: tuning.maxWaitTimeMs ?? DEFAULT_MAX_WAIT_TIME_MS,
      maxBytes: FETCH_MAX_BYTES,
      maxBytesPerPartition: tuning.maxBytesPerPartition ?? FETCH_MAX_BYTES_PER_PARTITION,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
    };
    if (settings.groupProtocol === 'consumer') return { ...common, groupProtocol: 'consumer' };
    const sessionTimeout = tuning.sessionTimeoutMs ?? settings.sessionTimeoutMs;
    return {
      ...common,
      groupProtocol: 'classic',
      sessionTimeout,
      heartbeatInterval: tuning.heartbeatIntervalMs ?? Math.round(sessionTimeout / HEARTBEATS_PER_SESSION),
    };
  }

  createConsumer(tuning: ConsumerTuning): PlatformaticConsumer {
    return new (platformaticKafka().Consumer)(this.consumerOptions(tuning));
  }
}

function saslOptions(sasl: NonNullable<KafkaSettings['sasl']>): SASLOptions {
  const mechanisms = {
    plain: 'PLAIN',
    'scram-sha-256': 'SCRAM-SHA-256',
    'scram-sha-512': 'SCRAM-SHA-512',
  } as const;
  return { mechanism: mechanisms[sasl.mechanism], username: sasl.username, password: sasl.password.reveal() };
}
