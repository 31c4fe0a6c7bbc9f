/** Gives back a slot taken with {@link ConcurrencyLimiter.acquire}. */
export type Release = () => void;

interface Waiter {
  readonly exclusive: boolean;
  readonly grant: () => void;
}

/**
 * At most `limit` holders at a time; the others wait in arrival order. Shared by every chunk of the instance, so
 * `concurrency` bounds the handlers running over all partitions and commands together. An exclusive holder
 * ({@link acquireExclusive}) runs with nobody beside it: it waits until every slot is free, and nobody who comes
 * after it starts until it released. Arrival order holds for both kinds, so neither starves the other.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private exclusiveHeld = false;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limit: number) {}

  /** Waits for a slot. */
  async acquire(): Promise<Release> {
    return this.enqueue(false);
  }

  /** Waits until nothing else runs, then holds every slot until released. */
  async acquireExclusive(): Promise<Release> {
    return this.enqueue(true);
  }

  /** A slot now, or `undefined` when none is free or someone waits ahead. */
  tryAcquire(): Release | undefined {
    if (this.waiting.length > 0 || !this.canGrant(false)) return undefined;
    this.take(false);
    return this.releaser(false);
  }

  get running(): number {
    return this.active;
  }

  /** Holders or waiters that run alone. */
  get exclusiveWaiting(): boolean {
    return this.exclusiveHeld || this.waiting.some((w) => w.exclusive);
  }

  private async enqueue(exclusive: boolean): Promise<Release> {
    if (this.waiting.length === 0 && this.canGrant(exclusive)) {
      this.take(exclusive);
    } else {
      await new Promise<void>((grant) => this.waiting.push({ exclusive, grant }));
    }
    return this.releaser(exclusive);
  }

  private canGrant(exclusive: boolean): boolean {
    if (this.exclusiveHeld) return false;
    return exclusive ? this.active === 0 : this.active < this.limit;
  }

  private take(exclusive: boolean): void {
    this.active += 1;
    if (exclusive) this.exclusiveHeld = true;
  }

  private releaser(exclusive: boolean): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      if (exclusive) this.exclusiveHeld = false;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    for (let head = this.waiting[0]; head && this.canGrant(head.exclusive); head = this.waiting[0]) {
      this.waiting.shift();
      this.take(head.exclusive);
      head.grant();
    }
  }
}
