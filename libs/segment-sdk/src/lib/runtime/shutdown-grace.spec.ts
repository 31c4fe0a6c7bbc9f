import { deferred } from '../../../test/unit-doubles';
import { ShutdownGrace } from './shutdown-grace';

describe('ShutdownGrace.unlessBegun', () => {
  it('gives what the work resolves to, and keeps no listener once it settled', async () => {
    const grace = new ShutdownGrace();

    for (let i = 0; i < 1_000; i += 1) expect(await grace.unlessBegun(Promise.resolve(i))).toBe(i);

    expect(grace.waitingForBegin).toBe(0);
  });

  it('keeps one listener per call still waiting, and lets go of it when the work fails', async () => {
    const grace = new ShutdownGrace();
    const work = deferred<string>();

    const waiting = [grace.unlessBegun(work.promise), grace.unlessBegun(work.promise)];
    expect(grace.waitingForBegin).toBe(2);
    work.reject(new Error('no slot'));

    for (const w of waiting) await expect(w).rejects.toThrow('no slot');
    expect(grace.waitingForBegin).toBe(0);
  });

  it('gives undefined to a call waiting when shutdown begins, and at once to calls after it', async () => {
    const grace = new ShutdownGrace();
    const work = deferred<string>();

    const waiting = grace.unlessBegun(work.promise);
    grace.begin(60_000);

    await expect(waiting).resolves.toBeUndefined();
    await expect(grace.unlessBegun(Promise.resolve('late'))).resolves.toBeUndefined();
    expect(grace.waitingForBegin).toBe(0);
    grace.end();
  });
});
