import type { LoggerService } from '@nestjs/common';
import { crashPoint, isRetriable, messageLogLine } from '@smartlink/common';
import { MAX_ACK_RECEIPTS, type SmartLinkTransport } from '@smartlink/contract';
import type { EventProducer } from '@smartlink/messaging';
import type { Backpressure } from '../backlog/backpressure';
import { retryAfterOf } from '../cloud/retry-after-of';
import type { LogRedactor } from '../logging/log-redactor';
import type { PollerStatus } from '../poller-status';
import { batchRecords, type BatchRecordsContext } from './batch-records';
import type { DrainOutcome, DrainStop } from './drain-outcome';
import { sendChunks } from './send-chunks';

/** What a {@link QueueDrainer} works with; the app module passes the real ones, tests typed doubles. */
export interface QueueDrainerParts {
  readonly cloud: Pick<SmartLinkTransport, 'get' | 'ack'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly backpressure: Pick<Backpressure, 'check' | 'appended'>;
  readonly status: PollerStatus;
  readonly now: () => number;
  readonly logger: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  readonly redactor: LogRedactor;
}

/** Tuning of a {@link QueueDrainer}. */
export interface QueueDrainerOptions {
  /** Messages asked for per get. */
  readonly batchSize: number;
  readonly topics: BatchRecordsContext['topics'];
  /** Largest single record; larger events are dead-lettered. */
  readonly maxRecordBytes: number;
  /** Largest `sendBatch` call. */
  readonly maxSendBytes: number;
}

/**
 * Drains the cloud queue in batches: get → append every delivery to Kafka (valid ones as `received` events on
 * `<ns>.received`, refused ones as dead letters with an error log) in one send with acks=all → only then ack every
 * receipt of the batch. If Kafka does not take the batch nothing is acked, and the cloud hands the messages out
 * again after its visibility timeout; if the ack fails the redelivery is absorbed downstream by message id. So no
 * message is acked before it is durable, and none is lost.
 *
 * Before each get it asks `halt` (shutdown, lease) and the backpressure gate; it goes on until a get returns nothing
 * (a cloud may hand out fewer than asked for, one per get even, so a short batch does not mean the queue is dry).
 * The batch in hand is always finished (appended and acked) before a halt is honoured.
 */
export class QueueDrainer {
  constructor(
    private readonly parts: QueueDrainerParts,
    private readonly options: QueueDrainerOptions,
  ) {}

  /**
   * Drains until the queue is empty or `halt` returns a reason to stop (checked before every get). A batch's ack
   * goes out while the next batch is fetched and appended (its records are durable by then; the ack only removes
   * them from the cloud queue): one ack in flight at most, in batch order, and the last one finished before the
   * drain returns.
   */
  async drain(halt: () => DrainStop | null): Promise<DrainOutcome> {
    let batches = 0;
    let received = 0;
    let refused = 0;
    let acking: Promise<void> = Promise.resolve();
    const done = async (stop: DrainStop, retryAfterMs: number | null = null): Promise<DrainOutcome> => {
      await acking;
      this.parts.status.drained(stop);
      return { stop, batches, received, refused, retryAfterMs };
    };
    for (;;) {
      const halted = halt();
      if (halted) return done(halted);
      const gate = await this.parts.backpressure.check();
      if (gate !== 'open') return done(gate === 'closed' ? 'backpressure' : 'backlog-unknown');

      const fetched = await this.fetch();
      if (!fetched.ok) return done('cloud-failed', fetched.retryAfterMs);
      const deliveries = fetched.deliveries;
      if (deliveries.length === 0) return done('queue-empty');

      const records = batchRecords(deliveries, {
        topics: this.options.topics,
        at: new Date(this.parts.now()).toISOString(),
        maxRecordBytes: this.options.maxRecordBytes,
      });
      for (const refusal of records.refusals) {
        const text =
          `Refused a message from the cloud queue, key ${refusal.key} (${refusal.reason}, ${refusal.errorCode}): ` +
          `${this.parts.redactor.scrub(refusal.error)}; dead-lettered to ${this.options.topics.deadletter}`;
        // The key is the message id when the delivery had a usable one, else the receipt, which names no message.
        this.parts.logger.error(
          refusal.key === refusal.receipt ? text : messageLogLine(text, { messageId: refusal.key }),
          QueueDrainer.name,
        );
      }
      if (!(await this.append(records.topicRecords, deliveries.length))) return done('kafka-failed');
      this.parts.backpressure.appended(records.received);
      this.parts.status.count({ received: records.received, refused: records.refusals.length });
      batches += 1;
      received += records.received;
      refused += records.refusals.length;

      crashPoint('poller.after-append');
      await acking;
      acking = this.ack(records.receipts);
    }
  }

  private async fetch(): Promise<
    | { ok: true; deliveries: Awaited<ReturnType<SmartLinkTransport['get']>> }
    | { ok: false; retryAfterMs: number | null }
  > {
    try {
      const deliveries = await this.parts.cloud.get(this.options.batchSize);
      this.parts.status.count({ gets: 1 });
      return { ok: true, deliveries };
    } catch (error) {
      this.parts.status.count({ cloudFailures: 1 });
      const text = `Getting messages from the cloud queue failed; trying again later: ${this.parts.redactor.errorText(error)}`;
      if (isRetriable(error)) this.parts.logger.warn(text, QueueDrainer.name);
      else this.parts.logger.error(text, QueueDrainer.name);
      return { ok: false, retryAfterMs: retryAfterOf(error) };
    }
  }

  private async append(
    topicRecords: Parameters<EventProducer['sendBatch']>[0],
    deliveries: number,
  ): Promise<boolean> {
    try {
      for (const chunk of sendChunks(topicRecords, this.options.maxSendBytes)) {
        await this.parts.producer.sendBatch(chunk);
      }
      return true;
    } catch (error) {
      this.parts.status.count({ appendFailures: 1 });
      this.parts.logger.error(
        `Kafka did not durably take a batch of ${deliveries} messages, so none of them is acked; the cloud hands ` +
          `them out again after its visibility timeout: ${this.parts.redactor.errorText(error)}`,
        QueueDrainer.name,
      );
      return false;
    }
  }

  private async ack(receipts: readonly string[]): Promise<void> {
    for (let start = 0; start < receipts.length; start += MAX_ACK_RECEIPTS) {
      const chunk = receipts.slice(start, start + MAX_ACK_RECEIPTS);
      try {
        const { acked, ignored } = await this.parts.cloud.ack(chunk);
        this.parts.status.count({ acked });
        if (ignored > 0) {
          this.parts.logger.warn(
            `${ignored} of ${chunk.length} receipts were no longer in flight when acked (the visibility timeout ` +
              'passed first); those messages come again and are absorbed downstream by message id',
            QueueDrainer.name,
          );
        }
      } catch (error) {
        this.parts.status.count({ ackFailures: 1 });
        this.parts.logger.warn(
          `Acking ${chunk.length} messages that are already durable in Kafka failed; the cloud hands them out ` +
            `again and the duplicates are absorbed by message id: ${this.parts.redactor.errorText(error)}`,
          QueueDrainer.name,
        );
      }
    }
  }
}
