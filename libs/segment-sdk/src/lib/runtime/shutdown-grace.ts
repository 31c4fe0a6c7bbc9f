import { getEventListeners } from 'node:events';
import { SegmentShutdownError } from '../errors/segment-shutdown-error';

/**
 * The time handlers in flight get once shutdown begins. From its beginning no further handler starts (`unlessBegun`
 * resolves, so chunks still waiting for a slot hand their records back at once instead of starting attempts the
 * grace may cut); when it is over `signal` aborts (handlers that pass it on can stop early) and `over` resolves.
 */
export class ShutdownGrace {
  private readonly controller = new AbortController();
  /** Aborted when shutdown begins: what {@link unlessBegun} listens to, one listener per waiting call. */
  private readonly beginning = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  /** Resolves when the grace is over. */
  readonly over: Promise<void>;

  constructor() {
    this.over = new Promise((resolve) =>
      this.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }

  /** Starts the countdown; later calls do nothing. */
  begin(graceMs: number): void {
    if (this.started) return;
    this.started = true;
    this.beginning.abort();
    this.timer = setTimeout(() => this.end(), graceMs);
  }

  /** Ends the grace now (and begins it, if it had not begun). */
  end(): void {
    this.started = true;
    this.beginning.abort();
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted)
      this.controller.abort(new SegmentShutdownError('the segment is shutting down and its grace is over'));
  }

  /**
   * What `work` resolves to, or `undefined` if shutdown begins first (at once if it has begun). Once settled it leaves
   * nothing behind: racing `work` against a promise that settles at shutdown would hang one reaction (a promise, its context and
   * closures) on it per call until shutdown, which the soak benchmark saw grow a segment's heap by ~300 MB an
   * hour at 300 messages a second, one per handler run.
   */
  async unlessBegun<T>(work: Promise<T>): Promise<T | undefined> {
    const signal = this.beginning.signal;
    if (signal.aborted) return undefined;
    let onBegin: () => void = () => undefined;
    const begins = new Promise<undefined>((resolve) => {
      onBegin = () => resolve(undefined);
      signal.addEventListener('abort', onBegin, { once: true });
    });
    try {
      return await Promise.race([work, begins]);
    } finally {
      signal.removeEventListener('abort', onBegin);
    }
  }

  /** Listeners {@link unlessBegun} has on the beginning of shutdown now: one per call still waiting. */
  get waitingForBegin(): number {
    return getEventListeners(this.beginning.signal, 'abort').length;
  }

  /** True once shutdown began: nothing new starts. */
  get hasBegun(): boolean {
    return this.started;
  }

  get isOver(): boolean {
    return this.controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}
