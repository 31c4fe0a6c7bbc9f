import { ConcurrencyLimiter } from './concurrency-limiter';

describe('ConcurrencyLimiter', () => {
  it('lets at most `limit` holders in, and the next waiter in as soon as one releases', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const first = await limiter.acquire();
    await limiter.acquire();
    let thirdIn = false;
    const third = limiter.acquire().then((release) => {
      thirdIn = true;
      return release;
    });

    await Promise.resolve();
    expect(thirdIn).toBe(false);
    expect(limiter.running).toBe(2);

    first();
    first(); // releasing twice gives back one slot only
    (await third)();
    expect(thirdIn).toBe(true);
    expect(limiter.running).toBe(1);
  });
});

describe('ConcurrencyLimiter exclusive holders', () => {
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('waits until nothing else runs, and starts nobody beside it until it releases', async () => {
    const limiter = new ConcurrencyLimiter(3);
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    let aloneIn = false;
    const alone = limiter.acquireExclusive().then((release) => {
      aloneIn = true;
      return release;
    });
    let laterIn = false;
    const later = limiter.acquire().then((release) => {
      laterIn = true;
      return release;
    });

    a();
    await flush();
    expect(aloneIn).toBe(false);
    expect(limiter.tryAcquire()).toBeUndefined();
    b();
    const release = await alone;
    expect(aloneIn).toBe(true);
    expect(limiter.running).toBe(1);
    await flush();
    expect(laterIn).toBe(false);
    expect(limiter.tryAcquire()).toBeUndefined();

    release();
    (await later)();
    expect(laterIn).toBe(true);
    expect(limiter.running).toBe(0);
  });

  it('grants every shared waiter behind a released exclusive holder up to the limit', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const alone = await limiter.acquireExclusive();
    const waiters = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    alone();
    await flush();
    expect(limiter.running).toBe(2);
    (await waiters[0])();
    (await waiters[1])();
    (await waiters[2])();
    expect(limiter.running).toBe(0);
  });

  it('tryAcquire takes a free slot only when nobody waits ahead', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const first = limiter.tryAcquire();
    expect(first).toBeDefined();
    expect(limiter.tryAcquire()).toBeDefined();
    expect(limiter.tryAcquire()).toBeUndefined();
    expect(limiter.running).toBe(2);
  });
});
