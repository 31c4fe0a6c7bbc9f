import type { NamespaceOffsets, OffsetsSnapshot } from '@smartlink/messaging';
import { waitFor } from '@smartlink/testing';
import { recordsPerMessage, uncommitted, type RecordsPerMessage } from '../analysis/records-per-message';
import type { BenchContext } from './bench-context';

/**
 * Counts the Kafka records a run costs: a snapshot of every topic's end offset and every group's commits in the
 * system's namespace before the run, and another after it, each taken once every group has committed past everything
 * written (at the end: the records the last messages caused are in, and nothing more is coming; at the start: nothing
 * of the run before is still being read).
 */
export class RecordCount {
  private constructor(
    private readonly offsets: NamespaceOffsets,
    private readonly before: OffsetsSnapshot,
  ) {}

  /** Waits until every group of the namespace has caught up, and takes the first snapshot. */
  static async start(context: BenchContext, timeoutMs = 180_000): Promise<RecordCount> {
    const offsets = context.client.createNamespaceOffsets();
    try {
      return new RecordCount(offsets, await caughtUp(offsets, timeoutMs));
    } catch (error) {
      await offsets.disconnect();
      throw error;
    }
  }

  /** Waits until every group of the namespace has caught up again, and divides what the run cost by `messages`. */
  async finish(messages: number, timeoutMs = 180_000): Promise<RecordsPerMessage> {
    return recordsPerMessage(this.before, await caughtUp(this.offsets, timeoutMs), messages);
  }

  async close(): Promise<void> {
    await this.offsets.disconnect();
  }
}

/** A snapshot taken when every consumer group of the namespace has committed past every record of its topics. */
function caughtUp(offsets: NamespaceOffsets, timeoutMs: number): Promise<OffsetsSnapshot> {
  return waitFor(
    async () => {
      const snapshot = await offsets.snapshot();
      return Object.values(uncommitted(snapshot)).every((behind) => behind === 0) ? snapshot : null;
    },
    {
      description: 'every consumer group of the system to commit past every record',
      timeoutMs,
      intervalMs: 500,
    },
  );
}
