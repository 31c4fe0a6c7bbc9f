import { Injectable } from '@nestjs/common';

/** How many ids it remembers: far more than any end-to-end run handles, at about 75 bytes an id. */
export const REMEMBERED_SUCCEEDED_IDS = 100_000;

/**
 * The distinct message ids whose handler succeeded here. End-to-end tests compare it with what they enqueued: every
 * message handled, duplicates aside. Bounded, because the demo runs for days in a cluster (the soak benchmark saw an
 * unbounded set grow the heap by ~78 MB an hour at 300 msg/s): past the bound the oldest ids are forgotten and only
 * counted, so `size` stays exact unless a forgotten id succeeds again.
 */
@Injectable()
export class SucceededMessages {
  private readonly ids = new Set<string>();
  private forgotten = 0;

  constructor(private readonly capacity: number = REMEMBERED_SUCCEEDED_IDS) {}

  add(messageId: string): void {
    if (this.ids.has(messageId)) return;
    this.ids.add(messageId);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order: the first id is the oldest.
      this.ids.delete(this.ids.values().next().value as string);
      this.forgotten += 1;
    }
  }

  get size(): number {
    return this.ids.size + this.forgotten;
  }
}
