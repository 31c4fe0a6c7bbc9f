import { SmartLinkError } from '@smartlink/common';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { platformaticKafka } from '../client/platformatic-kafka';
import { toKafkaError } from './to-kafka-error';

function protocolError(type: string, retriable: boolean): KafkaJSProtocolError {
  return Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type, retriable });
}

describe('toKafkaError', () => {
  describe('when the cluster cannot be reached', () => {
    it.each([
      [
        'a refused connection',
        new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1'),
      ],
      ['a request timeout', new KafkaJSRequestTimeoutError('Request Metadata(key: 3, version: 6) timed out')],
      ['a leader election', protocolError('LEADER_NOT_AVAILABLE', true)],
      ['too few in-sync replicas', protocolError('NOT_ENOUGH_REPLICAS', true)],
    ])('maps %s to a retriable KAFKA_UNAVAILABLE', (_case, cause) => {
      const error = toKafkaError(cause, 'sending to smartlink.logs');

      expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
      expect(error.message).toBe(`Kafka unavailable while sending to smartlink.logs: ${cause.message}`);
      expect(error.cause).toBe(cause);
    });

    it('recognises the plain error kafkajs throws when a broker never completed the handshake', () => {
      expect(toKafkaError(new Error('Broker not connected'), 'connecting the producer')).toMatchObject({
        code: 'KAFKA_UNAVAILABLE',
        retriable: true,
      });
    });

    it('stays retriable after kafkajs has given up retrying', () => {
      const connection = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
      const exhausted = new KafkaJSNumberOfRetriesExceeded(connection, { retryCount: 5, retryTime: 1000 });
      expect(exhausted.retriable).toBe(false); // kafkajs' own verdict: it will not retry again

      expect(toKafkaError(exhausted, 'connecting the producer')).toMatchObject({
        code: 'KAFKA_UNAVAILABLE',
        retriable: true,
        message: expect.stringContaining('ECONNREFUSED'),
      });
    });
  });

  describe('when the broker refuses the request', () => {
    it('is not retriable when kafkajs says so', () => {
      expect(toKafkaError(protocolError('MESSAGE_TOO_LARGE', false), 'sending')).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: false,
      });
    });

    it('is retriable when kafkajs says so', () => {
      expect(toKafkaError(protocolError('REBALANCE_IN_PROGRESS', true), 'committing')).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: true,
      });
    });

    it('follows kafkajs in treating an unflagged error as retriable', () => {
      expect(toKafkaError(new Error('socket hang up'), 'sending')).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: true,
      });
    });

    it('treats client misuse and programming errors as not retriable', () => {
      expect(
        toKafkaError(new KafkaJSNonRetriableError('The producer is disconnected'), 'sending'),
      ).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: false,
      });
      expect(toKafkaError(new TypeError('x is not a function'), 'sending').retriable).toBe(false);
    });
  });

  it('maps failed SASL authentication to a non-retriable KAFKA_AUTHENTICATION_FAILED', () => {
    // What kafkajs throws for a bad password (its typings hide the constructor's message parameter).
    const cause = new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)(
      'SASL Plain: Invalid username or password',
    );
    expect(toKafkaError(cause, 'connecting the producer')).toMatchObject({
      code: 'KAFKA_AUTHENTICATION_FAILED',
      retriable: false,
      message:
        'Kafka authentication failed while connecting the producer: SASL Plain: Invalid username or password; ' +
        'check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    });
  });

  describe('when the TLS handshake fails', () => {
    // What kafkajs' connection throws when the socket fails (src/network/connection.js), here after its retries.
    const handshakeFailure = (code: string, message: string) =>
      new KafkaJSNumberOfRetriesExceeded(
        new KafkaJSConnectionError(`Connection error: ${message}`, { broker: 'kafka-0:9093', code }),
        { retryCount: 1, retryTime: 100 },
      );

    it('maps an untrusted certificate to a non-retriable KAFKA_TLS_FAILED naming the broker and the cause', () => {
      const error = toKafkaError(
        handshakeFailure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
        'connecting the producer',
      );
      expect(error).toMatchObject({ code: 'KAFKA_TLS_FAILED', retriable: false, broker: 'kafka-0:9093' });
      expect(error.message).toBe(
        "Kafka TLS handshake with kafka-0:9093 failed while connecting the producer: the server's certificate is " +
          'not signed by a trusted CA (certificate verify failed) (UNABLE_TO_VERIFY_LEAF_SIGNATURE: Connection ' +
          "error: unable to verify the first certificate); check KAFKA_SSL_CA_FILE and the broker's certificate",
      );
    });

    it('says an expired certificate has expired', () => {
      expect(
        toKafkaError(handshakeFailure('CERT_HAS_EXPIRED', 'certificate has expired'), 'creating topics')
          .message,
      ).toContain("the server's certificate has expired (CERT_HAS_EXPIRED");
    });

    it('leaves other connection errors retriable', () => {
      expect(
        toKafkaError(handshakeFailure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9093'), 'sending'),
      ).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
    });
  });

  it('passes our own errors through unchanged', () => {
    const ours = new SmartLinkError('SOMETHING', 'already classified', false);
    expect(toKafkaError(ours, 'sending')).toBe(ours);
  });

  it('returns SmartLinkErrors that never expose kafkajs classes', () => {
    const error = toKafkaError(new KafkaJSError('boom', { retriable: true }), 'sending');
    expect(error).toBeInstanceOf(SmartLinkError);
    expect(error).not.toBeInstanceOf(KafkaJSError);
  });

  describe('@platformatic/kafka errors', () => {
    const {
      MultipleErrors,
      NetworkError,
      ProtocolError,
      ResponseError,
      TimeoutError,
      UserError,
      AuthenticationError,
    } = platformaticKafka();
    const refused = () =>
      new NetworkError('Connection to localhost:1 failed.', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      });
    const refusedPartitions = (...codes: string[]) =>
      new ResponseError(
        3,
        11,
        Object.fromEntries(codes.map((code, i) => [`/responses/0/partitions/${i}`, [codeOf(code), null]])),
        {},
      );
    const codeOf = (id: string) => {
      const { protocolErrors } = platformaticKafka() as unknown as {
        protocolErrors: Record<string, { code: number }>;
      };
      return protocolErrors[id]?.code ?? -1;
    };

    it('maps a refused connection, after every retry, to a retriable KAFKA_UNAVAILABLE with the socket error', () => {
      const error = toKafkaError(
        new MultipleErrors('Producing messages failed.', [
          new MultipleErrors('produce failed 3 times.', [refused(), refused(), refused()]),
        ]),
        'sending to smartlink.logs',
      );
      expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
      expect(error.message).toBe(
        'Kafka unavailable while sending to smartlink.logs: connect ECONNREFUSED 127.0.0.1:1',
      );
    });

    it('maps a request timeout to KAFKA_UNAVAILABLE', () => {
      expect(toKafkaError(new TimeoutError('Request timed out'), 'sending')).toMatchObject({
        code: 'KAFKA_UNAVAILABLE',
        retriable: true,
      });
    });

    it('maps a partition without its leader to KAFKA_UNAVAILABLE, naming the broker error', () => {
      const error = toKafkaError(refusedPartitions('NOT_LEADER_OR_FOLLOWER'), 'sending');
      expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
      expect(error.message).toContain('NOT_LEADER_OR_FOLLOWER');
    });

    it("follows the broker's verdict on a refused request", () => {
      expect(toKafkaError(refusedPartitions('MESSAGE_TOO_LARGE'), 'sending')).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: false,
        message: expect.stringContaining('MESSAGE_TOO_LARGE'),
      });
      expect(toKafkaError(refusedPartitions('UNKNOWN_TOPIC_OR_PARTITION'), 'sending')).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: true,
      });
      expect(toKafkaError(new ProtocolError('GROUP_AUTHORIZATION_FAILED'), 'consuming')).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: false,
      });
    });

    it('keeps a missing topic retriable, as the broker and kafkajs have it (the library reports it as a misuse)', () => {
      const error = toKafkaError(
        new UserError('Unknown topic smartlink.outcomes.'),
        'starting consumer group g',
      );
      expect(error).toMatchObject({ code: 'KAFKA_REQUEST_FAILED', retriable: true });
      expect(error.message).toBe(
        'Kafka refused starting consumer group g: This server does not host this topic-partition ' +
          '(UNKNOWN_TOPIC_OR_PARTITION): Unknown topic smartlink.outcomes.',
      );
    });

    it('maps a failed SASL login to KAFKA_AUTHENTICATION_FAILED', () => {
      expect(
        toKafkaError(new AuthenticationError('SASL authentication failed.'), 'connecting the producer'),
      ).toMatchObject({ code: 'KAFKA_AUTHENTICATION_FAILED', retriable: false });
    });

    it('maps a refused certificate to KAFKA_TLS_FAILED naming the broker', () => {
      const handshake = new NetworkError('Connection to kafka-0:9093 failed.', {
        host: 'kafka-0',
        port: 9093,
        cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
      });
      expect(toKafkaError(handshake, 'creating topics')).toMatchObject({
        code: 'KAFKA_TLS_FAILED',
        retriable: false,
        broker: 'kafka-0:9093',
      });
    });

    it('treats a misuse and a closed client as non-retriable requests', () => {
      expect(toKafkaError(new UserError('Failed to serialize a message.'), 'sending')).toMatchObject({
        code: 'KAFKA_REQUEST_FAILED',
        retriable: false,
      });
      expect(
        toKafkaError(new NetworkError('Client is closed.', { canRetry: false, closed: true }), 'sending'),
      ).toMatchObject({ code: 'KAFKA_REQUEST_FAILED', retriable: false });
    });
  });
});
