import { SegmentShutdownError } from '../errors/segment-shutdown-error';

/**
 * The time handlers in flight get once shutdown begins. When it is over, no further handler starts, `signal` aborts
 * (handlers that pass it on can stop early) and `over` resolves, so chunks still waiting hand their messages back.
 */
export class ShutdownGrace {
  private readonly controller = new AbortController();
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
    this.timer = setTimeout(() => this.end(), graceMs);
  }

  /** Ends the grace now. */
  end(): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted)
      this.controller.abort(new SegmentShutdownError('the segment is shutting down and its grace is over'));
  }

  get isOver(): boolean {
    return this.controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}
