import { Injectable } from '@nestjs/common';

/**
 * The distinct message ids whose handler succeeded here. End-to-end tests compare it with what they enqueued: every
 * message handled, duplicates aside. Unbounded on purpose (a demo app's memory is not at stake), so not a pattern
 * for production segments.
 */
@Injectable()
export class SucceededMessages {
  private readonly ids = new Set<string>();

  add(messageId: string): void {
    this.ids.add(messageId);
  }

  get size(): number {
    return this.ids.size;
  }
}
