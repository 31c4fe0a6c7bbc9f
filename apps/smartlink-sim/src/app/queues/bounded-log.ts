/**
 * Append-only record of the latest `capacity` entries, with a count of all ever appended: the admin API can show
 * what was acked or sent without a long demo run growing memory without bound.
 */
export class BoundedLog<T> {
  private readonly entries: T[] = [];
  private start = 0;
  private appended = 0;

  constructor(private readonly capacity: number) {}

  /** Entries ever appended, including those dropped. */
  get total(): number {
    return this.appended;
  }

  append(entry: T): void {
    this.appended++;
    if (this.entries.length < this.capacity) {
      this.entries.push(entry);
      return;
    }
    this.entries[this.start] = entry;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Kept entries, oldest first. */
  list(): T[] {
    return [...this.entries.slice(this.start), ...this.entries.slice(0, this.start)];
  }
}
