import type { EventProducer, EventRecord, LogRecord, TopicNames } from '@smartlink/messaging';
import { logRecordRecord } from '@smartlink/messaging';
import type { LateLogBuffer } from '../logging/late-log-buffer';
import type { StdoutLogger } from '../logging/stdout-logger';

/** What one caller puts in the outbox: records for the three topics a segment writes. */
export interface OutboxEntry {
  /** `<ns>.outbound` records; they go ahead of the outcomes in the same send. */
  readonly outbound?: readonly EventRecord[];
  /** `<ns>.outcomes` records: started markers and outcomes. */
  readonly outcomes?: readonly EventRecord[];
  readonly logs?: readonly LogRecord[];
}

/** What {@link SegmentOutbox} works with; typed doubles in unit tests. */
export interface SegmentOutboxDeps {
  readonly topics: Pick<TopicNames, 'outbound' | 'outcomes' | 'logs'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly lateLogs: LateLogBuffer;
  readonly stdout: StdoutLogger;
  /** Waits before the n-th retry of a failed send (1-based). */
  readonly backoff: (retry: number) => Promise<void>;
}

interface Queued {
  readonly entry: OutboxEntry;
  readonly resolve: () => void;
}

/** Backoff of a failed send: 100 ms doubling to 5 s. */
export function outboxBackoff(retry: number): Promise<void> {
  const ms = Math.min(5_000, 100 * 2 ** Math.min(retry - 1, 6));
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The segment's per-process outbox: started markers, each finished attempt's replies, outcome and logs are queued
 * and leave as soon as they are known, not with a chunk. One send is in flight at a time; whatever queued meanwhile
 * goes out together in the next (natural micro-batching), in queue order, outbound records listed first. A failed
 * send is retried with backoff, in order, never dropped; {@link send} resolves once the entry is durable on Kafka.
 */
export class SegmentOutbox {
  private queue: Queued[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly deps: SegmentOutboxDeps) {}

  /** Queues the records; resolves once a send carrying them succeeded. */
  send(entry: OutboxEntry): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push({ entry, resolve });
      this.flushing ??= this.flushLoop().finally(() => {
        this.flushing = null;
      });
    });
  }

  /** Entries queued or in flight. */
  get pending(): number {
    return this.queue.length + (this.flushing ? 1 : 0);
  }

  /** Resolves once everything queued so far is sent. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    // Let callers of the same tick join the first send.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const taken = this.queue;
      this.queue = [];
      const late = this.deps.lateLogs.take();
      const outbound = taken.flatMap((q) => q.entry.outbound ?? []);
      const outcomes = taken.flatMap((q) => q.entry.outcomes ?? []);
      const logs = [...taken.flatMap((q) => q.entry.logs ?? []), ...late].map(logRecordRecord);
      const { topics } = this.deps;
      for (let retry = 1; ; retry += 1) {
        try {
          await this.deps.producer.sendBatch(
            [
              { topic: topics.outbound, records: outbound },
              { topic: topics.outcomes, records: outcomes },
              { topic: topics.logs, records: logs },
            ].filter((batch) => batch.records.length > 0),
          );
          break;
        } catch (error) {
          this.deps.stdout.warn(
            `sending ${outcomes.length} outcome/marker record(s) failed (${String(error)}); retrying (${retry})`,
          );
          await this.deps.backoff(retry);
        }
      }
      for (const queued of taken) queued.resolve();
    }
  }
}
