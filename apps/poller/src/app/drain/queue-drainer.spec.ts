import type { LoggerService } from '@nestjs/common';
import {
  MalformedMessageError,
  PayloadTooLargeError,
  SmartLinkThrottledError,
  type AckResponse,
  type CloudMessage,
  type ReceivedMessage,
} from '@smartlink/contract';
import {
  deadLetterCodec,
  KafkaUnavailableError,
  lifecycleEventCodec,
  logRecordCodec,
  type TopicRecords,
} from '@smartlink/messaging';
import { isMessageLogLine, SecretValue } from '@smartlink/common';
import type { FetchGate } from '../backlog/backpressure';
import { LogRedactor } from '../logging/log-redactor';
import { PollerStatus } from '../poller-status';
import type { DrainStop } from './drain-outcome';
import { QueueDrainer } from './queue-drainer';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const TOPICS = { received: 'ns.received', deadletter: 'ns.deadletter', logs: 'ns.logs' };
const SECRET = 'client-secret-never-logged';

function message(id: string, overrides: Partial<CloudMessage> = {}): ReceivedMessage {
  return {
    ok: true,
    message: {
      id,
      command: 'HrEmployeeUpdated',
      tenantId: 'tenant-1',
      correlatedId: null,
      data: `{"n":"${id}"}`,
      source: 'rh',
      occurredAt: null,
      envelope: 'cloudevents',
      receipt: `r-${id}`,
      deliveryCount: 1,
      enqueuedAt: '2026-11-28T09:59:59.000Z',
      ...overrides,
    },
  };
}

function malformed(receipt: string, raw = '{oops'): ReceivedMessage {
  return {
    ok: false,
    receipt,
    messageId: `broker-${receipt}`,
    raw,
    error: new MalformedMessageError('body', 'not JSON'),
  };
}

/** A deferred promise the test resolves or rejects when it wants. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The cloud queue: hands out scripted batches and records gets and acks, in order, in a shared journal. */
class FakeCloud {
  readonly batches: ReceivedMessage[][] = [];
  getError: Error | null = null;
  ackError: Error | null = null;
  /** While set, acks wait for it. */
  ackHold: Promise<void> | null = null;
  readonly acked: string[][] = [];

  constructor(private readonly journal: string[]) {}

  async get(max?: number): Promise<ReceivedMessage[]> {
    this.journal.push(`get ${max}`);
    if (this.getError) throw this.getError;
    return this.batches.shift() ?? [];
  }

  async ack(receipts: readonly string[]): Promise<AckResponse> {
    this.journal.push(`ack ${receipts.join(',')}`);
    if (this.ackHold) await this.ackHold;
    if (this.ackError) throw this.ackError;
    this.acked.push([...receipts]);
    return { acked: receipts.length, ignored: 0 };
  }
}

/** The producer: records what was sent; a test may hold a send open or make it fail. */
class FakeProducer {
  readonly sent: TopicRecords[][] = [];
  hold: Promise<void> | null = null;
  error: Error | null = null;

  constructor(private readonly journal: string[]) {}

  async sendBatch(batches: readonly TopicRecords[]): Promise<void> {
    this.journal.push(`send ${batches.map((b) => `${b.topic}:${b.records.length}`).join(',')}`);
    if (this.hold) await this.hold;
    if (this.error) throw this.error;
    this.sent.push([...batches]);
    this.journal.push('sent');
  }
}

class FakeBackpressure {
  gate: FetchGate = 'open';
  appendedTotal = 0;
  async check(): Promise<FetchGate> {
    return this.gate;
  }
  appended(count: number): void {
    this.appendedTotal += count;
  }
}

class CollectingLogger implements Pick<LoggerService, 'log' | 'warn' | 'error'> {
  readonly lines: string[] = [];
  /** The message ids of message log lines, in order. */
  readonly messageIds: string[] = [];
  log(message: unknown) {
    this.lines.push(`log ${this.text(message)}`);
  }
  warn(message: unknown) {
    this.lines.push(`warn ${this.text(message)}`);
  }
  error(message: unknown) {
    this.lines.push(`error ${this.text(message)}`);
  }
  private text(message: unknown): string {
    if (!isMessageLogLine(message)) return String(message);
    this.messageIds.push(message.messageId);
    return message.message;
  }
}

function setup(batchSize = 3) {
  const journal: string[] = [];
  const cloud = new FakeCloud(journal);
  const producer = new FakeProducer(journal);
  const backpressure = new FakeBackpressure();
  const status = new PollerStatus();
  const logger = new CollectingLogger();
  const drainer = new QueueDrainer(
    {
      cloud,
      producer,
      backpressure,
      status,
      now: () => NOW,
      logger,
      redactor: new LogRedactor([new SecretValue(SECRET)]),
    },
    { batchSize, topics: TOPICS, maxRecordBytes: 1_000_000, maxSendBytes: 900_000 },
  );
  const keepGoing = (): DrainStop | null => null;
  return { journal, cloud, producer, backpressure, status, logger, drainer, keepGoing };
}

const recordsOf = (sent: TopicRecords[][], topic: string) =>
  sent
    .flat()
    .filter((batch) => batch.topic === topic)
    .flatMap((batch) => batch.records);

describe('QueueDrainer', () => {
  describe('when every message of a batch is valid', () => {
    it('appends one received event per message in one send, then acks every receipt', async () => {
      const { journal, cloud, producer, drainer, keepGoing } = setup();
      cloud.batches.push([message('m1'), message('m2')]);

      const outcome = await drainer.drain(keepGoing);

      expect(journal).toEqual(['get 3', 'send ns.received:2', 'sent', 'ack r-m1,r-m2', 'get 3']);
      expect(outcome).toEqual({
        stop: 'queue-empty',
        batches: 1,
        received: 2,
        refused: 0,
        retryAfterMs: null,
      });
      const [first] = recordsOf(producer.sent, TOPICS.received);
      expect(first?.key).toBe('m1');
      expect(lifecycleEventCodec.decode(Buffer.from(first?.value ?? ''))).toEqual({
        ok: true,
        value: {
          type: 'received',
          messageId: 'm1',
          at: '2026-11-28T10:00:00.000Z',
          command: 'HrEmployeeUpdated',
          tenantId: 'tenant-1',
          correlatedId: null,
          data: '{"n":"m1"}',
          source: 'rh',
          occurredAt: null,
          enqueuedAt: '2026-11-28T09:59:59.000Z',
          envelope: 'cloudevents',
        },
      });
    });

    it('acks only after the send has resolved', async () => {
      const { journal, cloud, producer, drainer, keepGoing } = setup();
      cloud.batches.push([message('m1')]);
      const send = deferred<void>();
      producer.hold = send.promise;

      const draining = drainer.drain(keepGoing);
      await new Promise((resolve) => setImmediate(resolve));
      expect(journal).toEqual(['get 3', 'send ns.received:1']);
      expect(cloud.acked).toEqual([]);

      send.resolve();
      await draining;
      expect(cloud.acked).toEqual([['r-m1']]);
    });
  });

  describe('when Kafka does not take the batch', () => {
    it('acks nothing, stops the drain and says why without secrets', async () => {
      const { journal, cloud, producer, status, logger, drainer, keepGoing } = setup();
      cloud.batches.push([message('m1'), malformed('bad-1')], [message('m2')]);
      producer.error = new KafkaUnavailableError('sending to ns.received', `NOT_ENOUGH_REPLICAS ${SECRET}`);

      const outcome = await drainer.drain(keepGoing);

      expect(outcome.stop).toBe('kafka-failed');
      expect(cloud.acked).toEqual([]);
      expect(journal.filter((line) => line.startsWith('get'))).toHaveLength(1);
      expect(status.snapshot()).toMatchObject({ appendFailures: 1, received: 0, acked: 0 });
      const line = logger.lines.find((l) => l.startsWith('error Kafka did not durably take'));
      expect(line).toContain('none of them is acked');
      expect(logger.lines.join('\n')).not.toContain(SECRET);
    });
  });

  describe('when some messages are refused', () => {
    it('dead-letters them with an error log in the same send, acks them with the good ones, and goes on', async () => {
      const { cloud, producer, logger, drainer, status, keepGoing } = setup(4);
      cloud.batches.push([
        message('m1'),
        malformed('bad-1'),
        {
          ok: false,
          receipt: 'big-1',
          messageId: null,
          raw: 'x'.repeat(2_000),
          error: new PayloadTooLargeError(2_000, 1_024),
        },
        message('m2'),
      ]);

      const outcome = await drainer.drain(keepGoing);

      expect(producer.sent).toHaveLength(1);
      expect(recordsOf(producer.sent, TOPICS.received).map((r) => r.key)).toEqual(['m1', 'm2']);
      const letters = recordsOf(producer.sent, TOPICS.deadletter).map((r) => ({
        key: r.key,
        letter: deadLetterCodec.decode(Buffer.from(r.value)),
      }));
      expect(letters).toEqual([
        {
          key: 'broker-bad-1',
          letter: {
            ok: true,
            value: expect.objectContaining({
              messageId: 'broker-bad-1',
              reason: 'malformed',
              errorCode: 'MALFORMED_MESSAGE',
              data: '{oops',
              direction: 'downstream',
              attempts: 0,
              source: 'poller',
              deadAt: '2026-11-28T10:00:00.000Z',
            }),
          },
        },
        {
          key: 'big-1',
          letter: {
            ok: true,
            value: expect.objectContaining({
              messageId: null,
              reason: 'oversize',
              errorCode: 'PAYLOAD_TOO_LARGE',
            }),
          },
        },
      ]);
      const logs = recordsOf(producer.sent, TOPICS.logs).map((r) =>
        logRecordCodec.decode(Buffer.from(r.value)),
      );
      expect(logs).toEqual([
        {
          ok: true,
          value: expect.objectContaining({ type: 2, source: 'poller', messageId: 'broker-bad-1' }),
        },
        { ok: true, value: expect.objectContaining({ type: 2, source: 'poller' }) },
      ]);
      expect(cloud.acked).toEqual([['r-m1', 'bad-1', 'big-1', 'r-m2']]);
      expect(outcome).toMatchObject({ received: 2, refused: 2 });
      expect(status.snapshot()).toMatchObject({ received: 2, refused: 2, acked: 4 });
      expect(logger.lines.filter((l) => l.startsWith('error Refused'))).toHaveLength(2);
      // The line of a refusal with a usable message id carries it as a field; one keyed by its receipt does not.
      expect(logger.messageIds).toEqual(['broker-bad-1']);
    });
  });

  // A cloud may hand out fewer messages than asked for (one per get, even): only an empty get means the queue is dry.
  it('keeps fetching until a get returns nothing, through short batches too', async () => {
    const { journal, cloud, drainer, keepGoing } = setup(2);
    cloud.batches.push(
      [message('a'), message('b')],
      [message('c')],
      [message('d'), message('e')],
      [message('f')],
    );

    const outcome = await drainer.drain(keepGoing);

    expect(journal.filter((l) => l.startsWith('get'))).toHaveLength(5);
    expect(outcome).toMatchObject({ stop: 'queue-empty', batches: 4, received: 6 });
  });

  it("fetches and appends the next batch while the last one's ack is out, one ack at a time", async () => {
    const { journal, cloud, drainer, keepGoing } = setup(2);
    cloud.batches.push([message('a'), message('b')], [message('c'), message('d')], [message('e')]);
    const ack = deferred<void>();
    cloud.ackHold = ack.promise;

    let finished = false;
    const draining = drainer.drain(keepGoing).then((outcome) => {
      finished = true;
      return outcome;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));

    // The second batch is fetched and appended while the first ack waits; its own ack waits for the first.
    expect(journal).toEqual([
      'get 2',
      'send ns.received:2',
      'sent',
      'ack r-a,r-b',
      'get 2',
      'send ns.received:2',
      'sent',
    ]);
    ack.resolve();
    const outcome = await draining;

    expect(journal.filter((line) => line.startsWith('ack'))).toEqual([
      'ack r-a,r-b',
      'ack r-c,r-d',
      'ack r-e',
    ]);
    expect(cloud.acked).toEqual([['r-a', 'r-b'], ['r-c', 'r-d'], ['r-e']]);
    expect(finished).toBe(true);
    expect(outcome).toMatchObject({ stop: 'queue-empty', batches: 3, received: 5 });
  });

  it('finishes the last ack before the drain returns', async () => {
    const { cloud, drainer, keepGoing } = setup();
    cloud.batches.push([message('m1')]);
    const ack = deferred<void>();
    cloud.ackHold = ack.promise;

    let finished = false;
    const draining = drainer.drain(keepGoing).then(() => {
      finished = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(finished).toBe(false);

    ack.resolve();
    await draining;
    expect(cloud.acked).toEqual([['r-m1']]);
  });

  it('stops on an empty get without sending anything', async () => {
    const { journal, drainer, keepGoing } = setup();
    await expect(drainer.drain(keepGoing)).resolves.toMatchObject({ stop: 'queue-empty', batches: 0 });
    expect(journal).toEqual(['get 3']);
  });

  describe('when the backlog is at the high-water mark', () => {
    it('does not fetch', async () => {
      const { journal, backpressure, cloud, drainer, keepGoing } = setup();
      backpressure.gate = 'closed';
      cloud.batches.push([message('m1')]);

      await expect(drainer.drain(keepGoing)).resolves.toMatchObject({ stop: 'backpressure' });
      expect(journal).toEqual([]);
    });

    it('does not fetch when the backlog cannot be read either', async () => {
      const { journal, backpressure, drainer, keepGoing } = setup();
      backpressure.gate = 'unknown';
      await expect(drainer.drain(keepGoing)).resolves.toMatchObject({ stop: 'backlog-unknown' });
      expect(journal).toEqual([]);
    });

    it('counts what it appended toward the backlog', async () => {
      const { backpressure, cloud, drainer, keepGoing } = setup();
      cloud.batches.push([message('m1'), malformed('x')]);
      await drainer.drain(keepGoing);
      expect(backpressure.appendedTotal).toBe(1);
    });
  });

  describe('when the lease is lost during a drain', () => {
    it('finishes the batch in hand, then fetches no more', async () => {
      const { journal, cloud, drainer } = setup(1);
      cloud.batches.push([message('m1')], [message('m2')]);
      let held = true;
      const halt = (): DrainStop | null => (held ? null : 'lease-lost');
      const originalAck = cloud.ack.bind(cloud);
      cloud.ack = async (receipts) => {
        held = false; // the lease moved while the first batch was being acked
        return originalAck(receipts);
      };

      const outcome = await drainer.drain(halt);

      expect(outcome).toMatchObject({ stop: 'lease-lost', batches: 1 });
      expect(journal).toEqual(['get 1', 'send ns.received:1', 'sent', 'ack r-m1']);
    });
  });

  describe('when the cloud fails the get', () => {
    it("stops with the server's Retry-After and logs a warning", async () => {
      const { cloud, logger, status, drainer, keepGoing } = setup();
      cloud.getError = new SmartLinkThrottledError('get', 2_000);

      await expect(drainer.drain(keepGoing)).resolves.toMatchObject({
        stop: 'cloud-failed',
        retryAfterMs: 2_000,
      });
      expect(status.snapshot().cloudFailures).toBe(1);
      expect(logger.lines.some((l) => l.startsWith('warn Getting messages') && l.includes('THROTTLED'))).toBe(
        true,
      );
    });
  });

  describe('when the ack fails', () => {
    it('logs it and goes on: the messages are durable and their redelivery is absorbed by id', async () => {
      const { cloud, logger, status, drainer, keepGoing } = setup(1);
      cloud.batches.push([message('m1')], [message('m2')]);
      cloud.ackError = new Error('socket hang up');

      const outcome = await drainer.drain(keepGoing);

      expect(outcome).toMatchObject({ stop: 'queue-empty', batches: 2, received: 2 });
      expect(status.snapshot().ackFailures).toBe(2);
      expect(logger.lines.filter((l) => l.startsWith('warn Acking'))).toHaveLength(2);
    });
  });
});
