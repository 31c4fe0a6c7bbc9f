import { Fifo } from './fifo';

describe('Fifo', () => {
  it('returns items in insertion order across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      fifo.push(i);
      if (i % 3 === 0) out.push(fifo.shift() as number);
    }
    for (let v = fifo.shift(); v !== undefined; v = fifo.shift()) out.push(v);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(fifo.size).toBe(0);
  });

  it('is empty after clear', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.clear();
    expect(fifo.shift()).toBeUndefined();
  });
});
