import { assertLimit, batches, compareText, inKeyOrder, uniqueBy } from './batches';

describe('batches', () => {
  it('splits into consecutive batches of at most the size', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([], 3)).toEqual([]);
  });
});

describe('uniqueBy', () => {
  it('keeps the first item of each key', () => {
    const items = [
      { k: 'a', n: 1 },
      { k: 'b', n: 2 },
      { k: 'a', n: 3 },
    ];
    expect(uniqueBy(items, (i) => i.k)).toEqual([
      { k: 'a', n: 1 },
      { k: 'b', n: 2 },
    ]);
  });
});

describe('inKeyOrder', () => {
  it('sorts a copy, leaving the input as it was', () => {
    const input = ['b', 'a', 'c'];
    expect(inKeyOrder(input, compareText)).toEqual(['a', 'b', 'c']);
    expect(input).toEqual(['b', 'a', 'c']);
  });
});

describe('assertLimit', () => {
  it.each([0, 1, 5000])('accepts %p', (limit) => {
    expect(() => assertLimit(limit)).not.toThrow();
  });

  it.each([-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', (limit) => {
    expect(() => assertLimit(limit)).toThrow(RangeError);
  });
});
