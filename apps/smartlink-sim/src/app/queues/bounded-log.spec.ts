import { BoundedLog } from './bounded-log';

describe('BoundedLog', () => {
  it('keeps the latest entries in order and counts them all', () => {
    const log = new BoundedLog<number>(3);
    [1, 2, 3, 4, 5].forEach((n) => log.append(n));
    expect(log.list()).toEqual([3, 4, 5]);
    expect(log.total).toBe(5);
  });
});
