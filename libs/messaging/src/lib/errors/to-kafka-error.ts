import { SmartLinkError, tlsFailure } from '@smartlink/common';
import { KafkaAuthenticationError } from './kafka-authentication-error';
import { KafkaRequestError } from './kafka-request-error';
import { KafkaTlsError } from './kafka-tls-error';
import { KafkaUnavailableError } from './kafka-unavailable-error';

// kafkajs error names (matched by name rather than instanceof, so a second copy of kafkajs cannot break it)
// that mean "could not reach a broker that can serve this", whatever kafkajs' own retriable flag says.
const UNAVAILABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

// Broker error codes (kafkajs `type`) that say the cluster cannot serve the request right now.
const UNAVAILABLE_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'BROKER_NOT_AVAILABLE',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'KAFKA_STORAGE_ERROR',
]);

// kafkajs throws this plain Error (no class, no flag; src/broker/index.js) when a broker accepted the connection
// but never completed the handshake. Matching its text is the only way to recognise it.
const BROKER_NOT_CONNECTED = 'Broker not connected';

// kafkajs' own rule (src/retry/index.js): an error is retriable unless flagged otherwise or a programming error.
const PROGRAMMING_ERRORS = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

interface ErrorShape {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  /** Set by kafkajs on a KafkaJSConnectionError: Node's socket error code and `host:port`. */
  readonly code?: unknown;
  readonly broker?: unknown;
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const cause = (current as ErrorShape | null)?.cause;
    if (cause === undefined || cause === null || cause === current) break;
    current = cause;
  }
  return current;
}

function describe(error: unknown): string {
  const { name, message } = (error ?? {}) as ErrorShape;
  return typeof message === 'string' && message.length > 0 ? message : String(name ?? error);
}

/**
 * Maps anything kafkajs throws to one of our errors, so callers decide from `code` and `retriable` and never see
 * a kafkajs type. `retriable` follows kafkajs' verdict on the underlying error. When kafkajs has exhausted its retries (`KafkaJSNumberOfRetriesExceeded`, which kafkajs marks
 * non-retriable because *it* will not retry again) the verdict comes from the underlying cause: a broker that was
 * unreachable for the last 30 s may well be back in a minute.
 */
export function toKafkaError(error: unknown, operation: string): SmartLinkError {
  if (error instanceof SmartLinkError) return error;
  const root = rootCause(error) as ErrorShape;
  const names = [error, root].map((e) => String((e as ErrorShape | null)?.name ?? ''));
  const detail = describe(root);
  if (names.includes('KafkaJSSASLAuthenticationError')) {
    return new KafkaAuthenticationError(operation, detail, { cause: error });
  }
  // A refused certificate arrives as a connection error, which kafkajs retries; retrying cannot fix it.
  const tls = tlsFailure(root.code);
  if (tls) {
    const broker = typeof root.broker === 'string' ? root.broker : 'the broker';
    return new KafkaTlsError(broker, tls, operation, detail, { cause: error });
  }
  if (
    names.some((name) => UNAVAILABLE.has(name)) ||
    UNAVAILABLE_TYPES.has(String(root.type)) ||
    root.message === BROKER_NOT_CONNECTED
  ) {
    return new KafkaUnavailableError(operation, detail, { cause: error });
  }
  const retriable = root.retriable !== false && !PROGRAMMING_ERRORS.has(String(root.name));
  return new KafkaRequestError(operation, detail, retriable, { cause: error });
}
