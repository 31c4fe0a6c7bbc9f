import { SegmentShutdownError } from '../errors/segment-shutdown-error';

/**
 * The time handlers in flight get once shutdown begins. From its beginning no further handler starts (`begun`
 * resolves, so chunks still waiting for a slot hand their records back at once instead of starting attempts the
 * grace may cut); when it is over `signal` aborts (handlers that pass it on can stop early) and `over` resolves.
 */
export class ShutdownGrace {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private markBegun: () => void = () => undefined;
  /** Resolves when shutdown begins. */
  readonly begun: Promise<void>;
  /** Resolves when the grace is over. */
  readonly over: Promise<void>;

  constructor() {
    this.begun = new Promise((resolve) => (this.markBegun = resolve));
    this.over = new Promise((resolve) =>
      this.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }

  /** Starts the countdown; later calls do nothing. */
  begin(graceMs: number): void {
    if (this.started) return;
    this.started = true;
    this.markBegun();
    this.timer = setTimeout(() => this.end(), graceMs);
  }

  /** Ends the grace now (and begins it, if it had not begun). */
  end(): void {
    this.started = true;
    this.markBegun();
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted)
      this.controller.abort(new SegmentShutdownError('the segment is shutting down and its grace is over'));
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
