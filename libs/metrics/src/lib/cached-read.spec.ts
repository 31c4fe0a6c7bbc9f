import { CachedRead } from './cached-read';

describe('CachedRead', () => {
  it('reads again only once the time to live has passed', async () => {
    let now = 0;
    let reads = 0;
    const cached = new CachedRead(
      async () => ++reads,
      1_000,
      () => now,
    );
    await expect(cached.get()).resolves.toBe(1);
    now = 999;
    await expect(cached.get()).resolves.toBe(1);
    now = 1_000;
    await expect(cached.get()).resolves.toBe(2);
  });

  it('shares one read between concurrent callers', async () => {
    let reads = 0;
    const cached = new CachedRead(async () => ++reads, 1_000);
    await expect(Promise.all([cached.get(), cached.get()])).resolves.toEqual([1, 1]);
  });

  it('does not keep a failure', async () => {
    let fail = true;
    const cached = new CachedRead(async () => {
      if (fail) throw new Error('down');
      return 'up';
    }, 1_000);
    await expect(cached.get()).rejects.toThrow('down');
    fail = false;
    await expect(cached.get()).resolves.toBe('up');
  });
});
