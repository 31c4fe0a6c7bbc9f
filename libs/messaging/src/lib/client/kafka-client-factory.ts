import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Logger, type LoggerService } from '@nestjs/common';
import { SettingsError, pemCertificatesProblem } from '@smartlink/common';
import {
  Kafka,
  logLevel,
  type ConsumerConfig,
  type KafkaConfig,
  type ProducerConfig,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaLogLevel, KafkaSettings } from '../settings/kafka-settings';
import { keyPartitioner } from '../producer/key-partitioner';
import { kafkaLogForwarder } from './kafka-log-forwarder';

/** What the factory needs besides the settings; both have production defaults and exist for tests. */
export interface KafkaClientOptions {
  /** Receives kafkajs' logs. Default: a Nest `Logger` without fixed context. */
  readonly logger?: LoggerService;
  /** Reads the CA file named by KAFKA_SSL_CA_FILE. Default: `fs.readFileSync`. */
  readonly readFile?: (path: string) => Buffer;
}

/** Per-consumer tuning; everything else comes from the settings. */
export interface ConsumerTuning {
  readonly groupId: string;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxBytesPerPartition?: number;
  /** How long the broker may hold a fetch when there is no data. Default 1000 ms. */
  readonly maxWaitTimeMs?: number;
}

const LOG_LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** Heartbeats per session timeout: kafkajs' own 3 s of 30 s, and well above Kafka's advised minimum of three. */
const HEARTBEATS_PER_SESSION = 10;
// Below kafkajs' 5000 ms: stopping a consumer waits for its pending fetch, and Kubernetes gives a pod 20 s to
// drain. It only sets how long an idle fetch is parked on the broker; records are returned as soon as they arrive.
const DEFAULT_MAX_WAIT_TIME_MS = 1_000;

/**
 * Maps our validated settings to kafkajs configuration, in one place, so a setting means the same thing for the
 * producer, the consumers and the admin client. Internal: `KafkaClient` is the public entry point.
 */
export class KafkaClientFactory {
  private readonly logger: LoggerService;
  private readonly readFile: (path: string) => Buffer;

  constructor(
    private readonly settings: KafkaSettings,
    options: KafkaClientOptions = {},
  ) {
    this.logger = options.logger ?? new Logger();
    this.readFile = options.readFile ?? ((path) => readFileSync(path));
  }

  /** A kafkajs client for the configured cluster. */
  createKafka(): Kafka {
    return new Kafka(this.kafkaConfig());
  }

  /** Connection, TLS, SASL, timeouts, retries and logging. */
  kafkaConfig(): KafkaConfig {
    const { settings } = this;
    return {
      clientId: settings.clientId,
      brokers: [...settings.brokers],
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      enforceRequestTimeout: true,
      retry: this.retry(),
      ssl: this.tlsOptions(),
      sasl: settings.sasl ? saslOptions(settings.sasl) : undefined,
      logLevel: LOG_LEVELS[settings.logLevel],
      logCreator: kafkaLogForwarder(this.logger, settings.sasl ? [settings.sasl.password.reveal()] : []),
    };
  }

  /**
   * No retries inside kafkajs: `EventProducer` retries whole requests itself (bounded, so an unreachable cluster fails
   * the send instead of retrying forever), because kafkajs 2.2.4's own retry can resolve a send with a partition
   * never written after a leader change (kafkajs#1303; see `ProducerRetry`). The idempotent producer needs kafkajs'
   * retries (it refuses `retries: 0`), so it is off: a retried request may write records twice, which every consumer
   * absorbs by message-id keys, as it does any redelivery. One request in flight per broker keeps each partition's
   * records in order across those retries. acks=all is set per send.
   */
  producerConfig(): ProducerConfig {
    return {
      idempotent: false,
      maxInFlightRequests: 1,
      // kafkajs' DefaultPartitioner (murmur2 like the Java client, so segments in any language agree on which
      // partition a message id lands) with a 32-bit murmur2 instead of kafkajs' Long-based one, ~15 times faster.
      createPartitioner: keyPartitioner,
      allowAutoTopicCreation: false,
      retry: { ...this.retry(), retries: 0 },
    };
  }

  consumerConfig(tuning: ConsumerTuning): ConsumerConfig {
    return {
      groupId: tuning.groupId,
      sessionTimeout: tuning.sessionTimeoutMs ?? this.settings.sessionTimeoutMs,
      heartbeatInterval:
        tuning.heartbeatIntervalMs ??
        Math.round((tuning.sessionTimeoutMs ?? this.settings.sessionTimeoutMs) / HEARTBEATS_PER_SESSION),
      maxWaitTimeInMs: tuning.maxWaitTimeMs ?? DEFAULT_MAX_WAIT_TIME_MS,
      ...(tuning.maxBytesPerPartition !== undefined && { maxBytesPerPartition: tuning.maxBytesPerPartition }),
      allowAutoTopicCreation: false,
      retry: this.retry(),
    };
  }

  private retry(): RetryOptions {
    const { retry } = this.settings;
    // All fields explicit: kafkajs fills gaps from its own defaults, which differ under NODE_ENV=test.
    return {
      retries: retry.retries,
      initialRetryTime: retry.initialRetryTimeMs,
      maxRetryTime: retry.maxRetryTimeMs,
      factor: 0.2,
      multiplier: 2,
    };
  }

  /**
   * TLS options (the CA file read and checked) for either client, or undefined for plain text; throws a
   * `SettingsError` when the CA file is unreadable or holds no certificate.
   */
  tlsOptions(): TlsOptions | undefined {
    const { tls } = this.settings;
    if (!tls) return undefined;
    if (tls.caFile === undefined) return { rejectUnauthorized: tls.rejectUnauthorized };
    let ca: Buffer;
    try {
      ca = this.readFile(tls.caFile);
    } catch (error) {
      throw caFileError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    const problem = pemCertificatesProblem(ca.toString('utf8'));
    if (problem) throw caFileError(problem);
    return { rejectUnauthorized: tls.rejectUnauthorized, ca: [ca] };
  }
}

function caFileError(problem: string): SettingsError {
  return new SettingsError('Kafka', [
    { key: 'KAFKA_SSL_CA_FILE', problem, hint: 'path to a readable PEM file of CA certificates' },
  ]);
}

function saslOptions(sasl: NonNullable<KafkaSettings['sasl']>): SASLOptions {
  const { username } = sasl;
  const password = sasl.password.reveal();
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
