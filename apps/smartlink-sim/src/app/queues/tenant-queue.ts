import { Fifo } from './fifo';
import { MinHeap } from './min-heap';

/** A message held by a tenant queue. */
export interface QueuedMessage {
  /** Broker message id, stable across redeliveries. */
  readonly id: string;
  /** The envelope text exactly as published. */
  readonly body: string;
  readonly enqueuedAt: number;
  deliveryCount: number;
  /** Receipt of the delivery in flight; null while the message waits in the queue. */
  receipt: string | null;
}

/** A message handed out by {@link TenantQueue.take}. */
export interface TakenMessage {
  readonly message: QueuedMessage;
  readonly receipt: string;
}

/** Counters of one queue. */
export interface TenantQueueStats {
  readonly ready: number;
  readonly inFlight: number;
  readonly enqueued: number;
  readonly delivered: number;
  /** Deliveries of a message that had been delivered before. */
  readonly redelivered: number;
  readonly acked: number;
  /** Acks of receipts that matched no delivery in flight. */
  readonly ignoredAcks: number;
}

interface Expiry {
  readonly at: number;
  readonly receipt: string;
}

/**
 * One tenant's queue with broker semantics: a taken message is in flight and invisible until acked; if not acked
 * within the visibility timeout it becomes visible again, ahead of messages never delivered (as RabbitMQ
 * requeues at the head), and its next delivery gets a new receipt. A receipt is valid only while its delivery
 * is in flight, like an AMQP delivery tag.
 *
 * Every operation is O(1) or O(log n) per message moved; expiries are applied lazily on each call, with the
 * clock passed in.
 */
export class TenantQueue {
  private readonly fresh = new Fifo<QueuedMessage>();
  private readonly requeued = new Fifo<QueuedMessage>();
  private readonly inFlight = new Map<string, QueuedMessage>();
  private readonly expiries = new MinHeap<Expiry>((e) => e.at);
  private enqueued = 0;
  private delivered = 0;
  private redelivered = 0;
  private acked = 0;
  private ignoredAcks = 0;

  constructor(
    private readonly visibilityTimeoutMs: () => number,
    private readonly nextReceipt: () => string,
  ) {}

  enqueue(message: QueuedMessage): void {
    this.fresh.push(message);
    this.enqueued++;
  }

  /** Hands out up to `max` messages, redelivered ones first, and makes them invisible. */
  take(max: number, now: number): TakenMessage[] {
    this.requeueExpired(now);
    const taken: TakenMessage[] = [];
    const expiresAt = now + this.visibilityTimeoutMs();
    while (taken.length < max) {
      const message = this.requeued.shift() ?? this.fresh.shift();
      if (!message) break;
      const receipt = this.nextReceipt();
      message.receipt = receipt;
      message.deliveryCount++;
      if (message.deliveryCount > 1) this.redelivered++;
      this.delivered++;
      this.inFlight.set(receipt, message);
      this.expiries.push({ at: expiresAt, receipt });
      taken.push({ message, receipt });
    }
    return taken;
  }

  /** Removes the messages whose deliveries are in flight under these receipts; others are counted and ignored. */
  ack(receipts: readonly string[], now: number): { acked: TakenMessage[]; ignored: number } {
    this.requeueExpired(now);
    const acked: TakenMessage[] = [];
    let ignored = 0;
    for (const receipt of receipts) {
      const message = this.inFlight.get(receipt);
      if (message) {
        this.inFlight.delete(receipt);
        message.receipt = null;
        acked.push({ message, receipt });
      } else {
        ignored++;
      }
    }
    this.acked += acked.length;
    this.ignoredAcks += ignored;
    return { acked, ignored };
  }

  stats(now: number): TenantQueueStats {
    this.requeueExpired(now);
    return {
      ready: this.fresh.size + this.requeued.size,
      inFlight: this.inFlight.size,
      enqueued: this.enqueued,
      delivered: this.delivered,
      redelivered: this.redelivered,
      acked: this.acked,
      ignoredAcks: this.ignoredAcks,
    };
  }

  private requeueExpired(now: number): void {
    for (let next = this.expiries.peek(); next && next.at <= now; next = this.expiries.peek()) {
      this.expiries.pop();
      // Entries of acked deliveries are left in the heap and skipped here, which keeps ack O(1).
      const message = this.inFlight.get(next.receipt);
      if (!message) continue;
      this.inFlight.delete(next.receipt);
      message.receipt = null;
      this.requeued.push(message);
    }
  }
}
