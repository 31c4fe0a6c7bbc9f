import {
  SecretValue,
  booleanSetting,
  numberSetting,
  parseSettings,
  type SettingsSource,
} from '@smartlink/common';
import { isCommandName, MAX_COMMAND_NAME_LENGTH } from '@smartlink/contract';
import { z } from 'zod';

/** The broker tools/kafka runs locally; 19092 so a developer's own Kafka on 9092 is never used by accident. */
export const DEFAULT_KAFKA_BROKERS = 'localhost:19092';
export const DEFAULT_KAFKA_CLIENT_ID = 'smartlink';
export const DEFAULT_TOPIC_NAMESPACE = 'smartlink';
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 5;
export const DEFAULT_RETRY_INITIAL_MS = 300;
export const DEFAULT_RETRY_MAX_MS = 30_000;
/**
 * How long the group coordinator waits for a consumer's heartbeat before it hands the consumer's partitions to
 * another member: the pause a crashed consumer costs its group. kafkajs' (and Kafka's) default of 30 s.
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
/**
 * How long start-up keeps retrying retriable Kafka errors (a broker still starting, partitions not hosted yet) before
 * the service exits: 2 minutes, well inside the 5 minutes the Kubernetes startup probes allow.
 */
export const DEFAULT_STARTUP_RETRY_MS = 120_000;
/** Partitions of each topic we create: the most consumers of one group that can share the work. */
export const DEFAULT_TOPIC_PARTITIONS = 6;

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export const KAFKA_LOG_LEVELS = ['nothing', 'error', 'warn', 'info', 'debug'] as const;
export type KafkaLogLevel = (typeof KAFKA_LOG_LEVELS)[number];

/** The Kafka client libraries libs/messaging can run on; see {@link KafkaSettings.client}. */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientKind = (typeof KAFKA_CLIENTS)[number];
export const DEFAULT_KAFKA_CLIENT: KafkaClientKind = 'kafkajs';

/** Consumer group protocols: the classic one, and KIP-848's `consumer` protocol (Kafka 4.0 and later). */
export const GROUP_PROTOCOLS = ['classic', 'consumer'] as const;
export type GroupProtocol = (typeof GROUP_PROTOCOLS)[number];

// What Kafka accepts as a group.instance.id (the Java client checks it like a topic name).
const GROUP_INSTANCE_ID = /^[A-Za-z0-9._-]{1,249}$/;

// host (name, IPv4 or [IPv6]) and port; validated here so a typo stops start-up instead of retrying forever.
const BROKER_ADDRESS = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?):(\d{1,5})$/;

const unset = (value: unknown) => (value === '' || value === undefined ? undefined : value);
const optionalString = () => z.preprocess(unset, z.string().trim().min(1).optional());
const lowerCaseEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (typeof v === 'string' ? unset(v.trim().toLowerCase()) : v), z.enum(values).optional());
const lowerCaseEnumWithDefault = <const T extends readonly [string, ...string[]]>(
  values: T,
  defaultValue: T[number],
) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? unset(v.trim().toLowerCase()) : v),
    z.enum(values).default(defaultValue as never),
  );

const brokerList = z
  .preprocess(unset, z.string().default(DEFAULT_KAFKA_BROKERS))
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0),
  )
  .superRefine((entries, ctx) => {
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'no broker given' });
    entries.forEach((entry, index) => {
      const port = Number(BROKER_ADDRESS.exec(entry)?.[1]);
      // The entry itself is not echoed: a mistyped URL could carry credentials (user:password@host).
      if (!(port >= 1 && port <= 65535)) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} of ${entries.length} is not host:port` });
      }
    });
  });

/**
 * The environment variables the messaging lib understands, as a zod schema. Apps pass their environment to
 * {@link parseKafkaSettings}; nothing in this lib reads `process.env` itself.
 */
export const kafkaSettingsSchema = z
  .object({
    KAFKA_BROKERS: brokerList.describe('comma-separated host:port list, e.g. kafka-0:9092,kafka-1:9092'),
    KAFKA_CLIENT_ID: z
      .preprocess(
        unset,
        z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,100}$/)
          .default(DEFAULT_KAFKA_CLIENT_ID),
      )
      .describe('1-100 characters of A-Z a-z 0-9 . _ -; names this service in broker logs and quotas'),
    SMARTLINK_TOPIC_NAMESPACE: z
      .preprocess(unset, z.string().default(DEFAULT_TOPIC_NAMESPACE))
      .refine(isCommandName, 'not a legal topic namespace')
      .describe(
        `prefix of every topic: 1-${MAX_COMMAND_NAME_LENGTH} characters of A-Z a-z 0-9 . _ -, starting with a letter or digit`,
      ),
    KAFKA_SSL: booleanSetting(false).describe('true to connect over TLS'),
    KAFKA_SSL_CA_FILE: optionalString().describe(
      'path to a PEM file with the CA certificates to trust (needs KAFKA_SSL=true)',
    ),
    KAFKA_SSL_REJECT_UNAUTHORIZED: booleanSetting(true).describe(
      'false only for test clusters with self-signed certificates; verification is on by default',
    ),
    KAFKA_SASL_MECHANISM: lowerCaseEnum(SASL_MECHANISMS).describe(`one of ${SASL_MECHANISMS.join(', ')}`),
    KAFKA_SASL_USERNAME: optionalString().describe('the SASL user name'),
    // Taken verbatim (not trimmed): a credential is never silently altered.
    KAFKA_SASL_PASSWORD: z.preprocess(unset, z.string().optional()).describe('the SASL password'),
    KAFKA_CONNECTION_TIMEOUT_MS: numberSetting({
      min: 100,
      max: 120_000,
      default: DEFAULT_CONNECTION_TIMEOUT_MS,
    }).describe('milliseconds to establish a broker connection, 100-120000'),
    KAFKA_REQUEST_TIMEOUT_MS: numberSetting({
      min: 100,
      max: 600_000,
      default: DEFAULT_REQUEST_TIMEOUT_MS,
    }).describe('milliseconds to wait for a broker response, 100-600000'),
    KAFKA_RETRIES: numberSetting({ min: 1, max: 100, default: DEFAULT_RETRIES }).describe(
      'how often a failed request is retried before the error reaches the caller, 1-100',
    ),
    KAFKA_RETRY_INITIAL_MS: numberSetting({
      min: 10,
      max: 60_000,
      default: DEFAULT_RETRY_INITIAL_MS,
    }).describe('first retry delay in milliseconds (doubles each retry), 10-60000'),
    KAFKA_RETRY_MAX_MS: numberSetting({ min: 10, max: 600_000, default: DEFAULT_RETRY_MAX_MS }).describe(
      'longest retry delay in milliseconds, 10-600000',
    ),
    // 6000 is the broker's default group.min.session.timeout.ms: below it the broker refuses to let the consumer join.
    KAFKA_SESSION_TIMEOUT_MS: numberSetting({
      min: 6_000,
      max: 300_000,
      default: DEFAULT_SESSION_TIMEOUT_MS,
    }).describe(
      "consumer session timeout in milliseconds, 6000-300000, within the broker's group.min/max.session.timeout.ms",
    ),
    KAFKA_STARTUP_RETRY_MS: numberSetting({
      min: 0,
      max: 1_800_000,
      default: DEFAULT_STARTUP_RETRY_MS,
    }).describe(
      'milliseconds start-up keeps retrying retriable Kafka errors before the service exits, 0-1800000 (0: exit at the first)',
    ),
    KAFKA_TOPIC_PARTITIONS: numberSetting({ min: 1, max: 1000, default: DEFAULT_TOPIC_PARTITIONS }).describe(
      'partitions of each topic the services create, 1-1000 (existing topics are left as they are)',
    ),
    KAFKA_TOPIC_REPLICATION_FACTOR: z
      .preprocess(unset, z.coerce.number().int().min(1).max(32).optional())
      .describe("replicas of each topic the services create, 1-32; unset means the broker's default"),
    KAFKA_LOG_LEVEL: lowerCaseEnum(KAFKA_LOG_LEVELS).describe(
      `kafkajs log level: ${KAFKA_LOG_LEVELS.join(', ')}`,
    ),
    KAFKA_CLIENT: lowerCaseEnumWithDefault(KAFKA_CLIENTS, DEFAULT_KAFKA_CLIENT).describe(
      `the Kafka client library producers and consumers run on: ${KAFKA_CLIENTS.join(', ')}`,
    ),
    KAFKA_GROUP_PROTOCOL: lowerCaseEnumWithDefault(GROUP_PROTOCOLS, 'classic').describe(
      `consumer group protocol: ${GROUP_PROTOCOLS.join(', ')} (consumer is KIP-848's, needs KAFKA_CLIENT=platformatic)`,
    ),
    KAFKA_GROUP_INSTANCE_ID: z
      .preprocess(unset, z.string().trim().regex(GROUP_INSTANCE_ID).optional())
      .describe(
        'static group membership: 1-249 characters of A-Z a-z 0-9 . _ -, unique per replica (e.g. the pod name); needs KAFKA_CLIENT=platformatic',
      ),
  })
  .superRefine((env, ctx) => {
    const sasl = {
      KAFKA_SASL_MECHANISM: env.KAFKA_SASL_MECHANISM,
      KAFKA_SASL_USERNAME: env.KAFKA_SASL_USERNAME,
      KAFKA_SASL_PASSWORD: env.KAFKA_SASL_PASSWORD,
    };
    const given = Object.keys(sasl).filter((key) => sasl[key as keyof typeof sasl] !== undefined);
    if (given.length > 0 && given.length < 3) {
      for (const key of Object.keys(sasl).filter((k) => !given.includes(k))) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `required when ${given.join(' and ')} is set (SASL needs all three)`,
        });
      }
    }
    if (env.KAFKA_SSL_CA_FILE !== undefined && !env.KAFKA_SSL) {
      // Refuse rather than silently connect in plain text while the operator believes TLS is on.
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_SSL'],
        message: 'must be true when KAFKA_SSL_CA_FILE is set',
      });
    }
    // kafkajs implements neither KIP-848 nor static membership: refuse rather than run without what was asked for.
    if (env.KAFKA_CLIENT === 'kafkajs' && env.KAFKA_GROUP_PROTOCOL === 'consumer') {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_GROUP_PROTOCOL'],
        message: 'consumer needs KAFKA_CLIENT=platformatic (kafkajs speaks only the classic protocol)',
      });
    }
    if (env.KAFKA_CLIENT === 'kafkajs' && env.KAFKA_GROUP_INSTANCE_ID !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_GROUP_INSTANCE_ID'],
        message: 'needs KAFKA_CLIENT=platformatic (kafkajs has no static group membership)',
      });
    }
    if (env.KAFKA_RETRY_MAX_MS < env.KAFKA_RETRY_INITIAL_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['KAFKA_RETRY_MAX_MS'],
        message: 'must not be below KAFKA_RETRY_INITIAL_MS',
      });
    }
  });

/** Validated Kafka settings, as the rest of the lib uses them. */
export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Prefix of every topic name; see `TopicNames`. */
  readonly topicNamespace: string;
  /** TLS options, or `null` for a plain-text connection. */
  readonly tls: { readonly caFile?: string; readonly rejectUnauthorized: boolean } | null;
  /** SASL credentials, or `null` without authentication. The password prints as `[redacted]`. */
  readonly sasl: {
    readonly mechanism: SaslMechanism;
    readonly username: string;
    readonly password: SecretValue;
  } | null;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Retries of kafkajs requests before an error reaches the caller (exponential backoff). */
  readonly retry: {
    readonly retries: number;
    readonly initialRetryTimeMs: number;
    readonly maxRetryTimeMs: number;
  };
  readonly logLevel: KafkaLogLevel;
  /** Consumer session timeout: how long a dead consumer holds its partitions (heartbeats go at a tenth of it). */
  readonly sessionTimeoutMs: number;
  /** How long start-up retries retriable Kafka errors, from the first one, before it gives up; see `StartupRetry`. */
  readonly startupRetryMs: number;
  /** How topics the services create are laid out. */
  readonly topics: { readonly partitions: number; readonly replicationFactor?: number };
  /**
   * The client library under `EventProducer` and `BatchConsumer` (KAFKA_CLIENT): `kafkajs` (the default until the
   * benchmark of issue 14 chooses) or `platformatic` (@platformatic/kafka: an idempotent producer, a consumer on its
   * message stream, KIP-848 and static membership). Topic creation and cluster checks (`TopicAdmin`), leases
   * (`KafkaLease`), group lag, namespace offsets and partition replicas stay on kafkajs with either: they are few
   * requests, off the hot path, and the lease relies on kafkajs' custom partition assigners.
   */
  readonly client: KafkaClientKind;
  /**
   * The consumer group protocol of `BatchConsumer` (KAFKA_GROUP_PROTOCOL): `classic`, or `consumer` (KIP-848:
   * assignments computed by the broker, rebalances that move only the partitions that change hands). `consumer`
   * needs KAFKA_CLIENT=platformatic; with it the session timeout and heartbeat interval are the broker's
   * (`group.consumer.session.timeout.ms`, `group.consumer.heartbeat.interval.ms`), not KAFKA_SESSION_TIMEOUT_MS.
   * Leases keep the classic protocol.
   */
  readonly groupProtocol: GroupProtocol;
  /**
   * Static group membership (KAFKA_GROUP_INSTANCE_ID, KIP-345): the member id every consumer group of this process
   * joins with, so a replica that was killed and comes back within the session timeout gets its partitions back
   * without a rebalance. Unique per replica (e.g. the pod name). A clean stop still leaves the group at once:
   * @platformatic/kafka 2.12 leaves on close (LeaveGroup, or member epoch -1 under KIP-848), with either protocol.
   * Needs KAFKA_CLIENT=platformatic; unset by default.
   */
  readonly groupInstanceId?: string;
}

/**
 * Validates Kafka settings from an environment-like object (apps pass `process.env`) once, at boot. Throws a
 * `SettingsError` (code `INVALID_SETTINGS`) that names every bad variable and how to fix it, never its value.
 */
export function parseKafkaSettings(env: SettingsSource): KafkaSettings {
  const s = parseSettings('Kafka', kafkaSettingsSchema, env);
  return {
    brokers: s.KAFKA_BROKERS,
    clientId: s.KAFKA_CLIENT_ID,
    topicNamespace: s.SMARTLINK_TOPIC_NAMESPACE,
    tls: s.KAFKA_SSL
      ? {
          rejectUnauthorized: s.KAFKA_SSL_REJECT_UNAUTHORIZED,
          ...(s.KAFKA_SSL_CA_FILE !== undefined && { caFile: s.KAFKA_SSL_CA_FILE }),
        }
      : null,
    // The schema guarantees all three or none.
    sasl:
      s.KAFKA_SASL_MECHANISM && s.KAFKA_SASL_USERNAME && s.KAFKA_SASL_PASSWORD
        ? {
            mechanism: s.KAFKA_SASL_MECHANISM,
            username: s.KAFKA_SASL_USERNAME,
            password: new SecretValue(s.KAFKA_SASL_PASSWORD),
          }
        : null,
    connectionTimeoutMs: s.KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: s.KAFKA_REQUEST_TIMEOUT_MS,
    retry: {
      retries: s.KAFKA_RETRIES,
      initialRetryTimeMs: s.KAFKA_RETRY_INITIAL_MS,
      maxRetryTimeMs: s.KAFKA_RETRY_MAX_MS,
    },
    logLevel: s.KAFKA_LOG_LEVEL ?? 'info',
    sessionTimeoutMs: s.KAFKA_SESSION_TIMEOUT_MS,
    startupRetryMs: s.KAFKA_STARTUP_RETRY_MS,
    topics: {
      partitions: s.KAFKA_TOPIC_PARTITIONS,
      ...(s.KAFKA_TOPIC_REPLICATION_FACTOR !== undefined && {
        replicationFactor: s.KAFKA_TOPIC_REPLICATION_FACTOR,
      }),
    },
    client: s.KAFKA_CLIENT,
    groupProtocol: s.KAFKA_GROUP_PROTOCOL,
    ...(s.KAFKA_GROUP_INSTANCE_ID !== undefined && { groupInstanceId: s.KAFKA_GROUP_INSTANCE_ID }),
  };
}
