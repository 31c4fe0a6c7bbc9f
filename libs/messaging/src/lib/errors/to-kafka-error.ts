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
  /** @platformatic/kafka: `PLT_KFK_*` on its own errors; Node's socket error code (e.g. ECONNREFUSED) on a cause. */
  readonly code?: unknown;
  /** @platformatic/kafka: the broker error name of a protocol error (e.g. `NOT_LEADER_OR_FOLLOWER`). */
  readonly apiId?: unknown;
  /** @platformatic/kafka: its own retriable verdict. */
  readonly canRetry?: unknown;
  /** @platformatic/kafka: set on the error of a client that was closed. */
  readonly closed?: unknown;
  /** @platformatic/kafka: the errors a `MultipleErrors` (retries, several brokers) gathers. */
  readonly errors?: unknown;
  readonly host?: unknown;
  readonly port?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  /** Set by kafkajs on a KafkaJSConnectionError: `host:port`. */
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
  if (isPlatformaticError(error)) return fromPlatformatic(error, operation);
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

// @platformatic/kafka's errors: codes of its own (https://github.com/platformatic/kafka, src/errors.ts), recognised by
// their `code` so that this file need not load the library.
const PLATFORMATIC = 'PLT_KFK_';
const PLATFORMATIC_NETWORK = 'PLT_KFK_NETWORK'; // its TimeoutError carries this code too
const PLATFORMATIC_AUTHENTICATION = 'PLT_KFK_AUTHENTICATION';
const SASL_FAILURES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);
// @platformatic/kafka 2.12 turns the broker's UNKNOWN_TOPIC_OR_PARTITION on a metadata request into a UserError of
// its own, without a cause and marked not retriable (src/clients/base/base.ts). A topic another service is about to
// create is a cluster not ready yet, as kafkajs reports it: retriable. The text is the only way to recognise it.
const UNKNOWN_TOPIC = /^Unknown topic .+\.$/;

function isPlatformaticError(error: unknown): error is ErrorShape {
  const code = (error as ErrorShape | null)?.code;
  return typeof code === 'string' && code.startsWith(PLATFORMATIC);
}

/** Every error a @platformatic/kafka error is made of: itself, what it gathers (`errors`) and its causes. */
function platformaticParts(error: unknown): ErrorShape[] {
  const parts: ErrorShape[] = [];
  const visit = (current: unknown, depth: number) => {
    if (current === null || typeof current !== 'object' || depth > 10 || parts.includes(current)) return;
    const shape = current as ErrorShape;
    parts.push(shape);
    if (Array.isArray(shape.errors)) shape.errors.forEach((inner: unknown) => visit(inner, depth + 1));
    visit(shape.cause, depth + 1);
  };
  visit(error, 0);
  return parts;
}

/**
 * The @platformatic/kafka side of {@link toKafkaError}. Its errors nest: a `MultipleErrors` gathers one error per
 * attempt or per broker, a `ResponseError` one `ProtocolError` per refused partition, a `NetworkError` has the socket
 * error as its cause. The verdict looks at all of them; the detail is the innermost messages (the socket error, the
 * broker's own words), each once.
 */
function fromPlatformatic(error: ErrorShape, operation: string): SmartLinkError {
  const parts = platformaticParts(error);
  const leaves = parts.filter(
    (part) => !(Array.isArray(part.errors) && part.errors.length > 0) && !part.cause,
  );
  const messages = [
    ...new Set(
      leaves.map((part) => {
        const text = describe(part);
        return typeof part.apiId === 'string' && !text.includes(part.apiId)
          ? `${text} (${part.apiId})`
          : text;
      }),
    ),
  ];
  const detail = messages.slice(-3).join('; ') || describe(error);
  if (parts.some((p) => p.code === PLATFORMATIC_AUTHENTICATION || SASL_FAILURES.has(String(p.apiId)))) {
    return new KafkaAuthenticationError(operation, detail, { cause: error });
  }
  const tlsPart = parts.find((p) => tlsFailure(p.code));
  const tls = tlsPart && tlsFailure(tlsPart.code);
  if (tls) {
    const withHost = parts.find((p) => typeof p.host === 'string');
    const broker = withHost ? `${String(withHost.host)}:${String(withHost.port)}` : 'the broker';
    return new KafkaTlsError(broker, tls, operation, detail, { cause: error });
  }
  // A closed client is a misuse, not an outage: the same call on it fails again.
  const closed = parts.some((p) => p.closed === true);
  if (
    !closed &&
    parts.some((p) => p.code === PLATFORMATIC_NETWORK || UNAVAILABLE_TYPES.has(String(p.apiId)))
  ) {
    return new KafkaUnavailableError(operation, detail, { cause: error });
  }
  const unknownTopic = parts.find((p) => typeof p.message === 'string' && UNKNOWN_TOPIC.test(p.message));
  if (unknownTopic) {
    return new KafkaRequestError(
      operation,
      `This server does not host this topic-partition (UNKNOWN_TOPIC_OR_PARTITION): ${describe(unknownTopic)}`,
      true,
      { cause: error },
    );
  }
  const retriable =
    !closed &&
    !parts.some(
      (p) => p.canRetry === false && p.code !== 'PLT_KFK_MULTIPLE' && p.code !== 'PLT_KFK_RESPONSE',
    );
  return new KafkaRequestError(operation, detail, retriable, { cause: error });
}
