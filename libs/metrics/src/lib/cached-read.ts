/**
 * A value read at most once per `ttlMs`, for gauges whose source costs a query (the database, the Kafka admin API):
 * scrapes in between get the last value, and concurrent scrapes share one read. A failed read is not cached.
 */
export class CachedRead<T> {
  private last: { at: number; value: T } | null = null;
  private pending: Promise<T> | null = null;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.last && this.now() - this.last.at < this.ttlMs) return Promise.resolve(this.last.value);
    this.pending ??= this.read()
      .then((value) => {
        this.last = { at: this.now(), value };
        return value;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
