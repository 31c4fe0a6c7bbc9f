import { MinHeap } from './min-heap';

describe('MinHeap', () => {
  it('pops in key order whatever the push order', () => {
    const heap = new MinHeap<number>((n) => n);
    const values = [5, 3, 9, 1, 1, 8, 2, 7, 0, 6, 4];
    values.forEach((v) => heap.push(v));
    expect(heap.peek()).toBe(0);
    const out: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
  });
});
