import { abortableDelay } from './abortable-delay';

describe('abortableDelay', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the delay', async () => {
    let done = false;
    const waiting = abortableDelay(100, new AbortController().signal).then(() => {
      done = true;
    });
    await jest.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects with the reason as soon as the signal aborts, leaving no timer behind', async () => {
    const controller = new AbortController();
    const waiting = abortableDelay(10_000, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects at once on a signal that has aborted already', async () => {
    await expect(abortableDelay(10, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});
