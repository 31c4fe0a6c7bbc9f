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
