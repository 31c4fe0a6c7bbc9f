/**
 * First-in first-out queue with O(1) amortised push and shift: an array read from a moving head, compacted once
 * the consumed prefix outweighs the rest. (`Array.prototype.shift` is O(n) and would make a 50,000-message
 * queue quadratic to drain.)
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T; // release the reference for the GC
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
