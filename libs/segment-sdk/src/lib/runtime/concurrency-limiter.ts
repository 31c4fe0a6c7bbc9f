/** Gives back a slot taken with {@link ConcurrencyLimiter.acquire}. */
export type Release = () => void;

/**
 * At most `limit` holders at a time; the others wait in arrival order. Shared by every chunk of the instance, so
 * `concurrency` bounds the handlers running over all partitions and commands together.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async acquire(): Promise<Release> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      if (next) next();
      else this.active -= 1;
    };
  }

  get running(): number {
    return this.active;
  }
}
