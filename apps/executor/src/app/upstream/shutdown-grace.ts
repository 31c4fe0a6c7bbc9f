/** What {@link ShutdownGrace.race} resolves with when the grace ran out first. */
export const GRACE_OVER = Symbol('the shutdown grace is over');

/**
 * The time the sends in flight get once the executor is asked to stop. Before `begin` nothing is ever over; once the
 * grace has run out, `isOver` is true and every {@link race} in progress resolves with {@link GRACE_OVER}, so waits and
 * sends still running are cut short and their messages handed back.
 */
export class ShutdownGrace {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  get isOver(): boolean {
    return this.controller.signal.aborted;
  }

  /** Starts the grace; a second call changes nothing. */
  begin(graceMs: number): void {
    if (this.timer !== undefined || this.isOver) return;
    this.timer = setTimeout(() => this.end(), graceMs);
    // The grace must not keep alive a process that has nothing else left to do.
    this.timer.unref();
  }

  /** Ends the grace now. */
  end(): void {
    clearTimeout(this.timer);
    this.controller.abort();
  }

  /**
   * The result of `work`, or {@link GRACE_OVER} as soon as the grace runs out, whichever comes first. The listener is
   * removed once `work` settles, so racing many sends over a long life holds nothing.
   */
  race<T>(work: Promise<T>): Promise<T | typeof GRACE_OVER> {
    if (this.isOver) return Promise.resolve(GRACE_OVER);
    const { signal } = this.controller;
    return new Promise((resolve, reject) => {
      const onOver = () => resolve(GRACE_OVER);
      signal.addEventListener('abort', onOver, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onOver);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onOver);
          reject(error);
        },
      );
    });
  }
}
