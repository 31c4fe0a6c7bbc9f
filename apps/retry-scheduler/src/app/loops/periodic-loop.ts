import type { LoggerService } from '@nestjs/common';

/** One run of a loop's work; `again: true` asks for the next run at once (more work is waiting). */
export type LoopTick = () => Promise<{ readonly again: boolean }>;

/** How a {@link PeriodicLoop} paces itself. */
export interface PeriodicLoopOptions {
  /** Name in logs and health output. */
  readonly name: string;
  readonly intervalMs: number;
  /** After a failed tick the next waits this long, doubling on each failure in a row up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly tick: LoopTick;
  readonly logger: LoggerService;
}

/**
 * Runs a tick every `intervalMs`, one at a time: the next is scheduled only once the previous settled, so a slow
 * database never piles ticks up. A failing tick is logged and retried with backoff (a database or broker outage must
 * not spin the loop or flood the log); the loop itself never dies. {@link stop} cancels the next tick and waits for the
 * one in flight, so shutdown never cuts a claim from its announcement.
 */
export class PeriodicLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private state: 'new' | 'started' | 'stopped' = 'new';
  private failuresInRow = 0;
  private lastSuccess: Date | null = null;

  constructor(private readonly options: PeriodicLoopOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Starts ticking: the first tick runs at once. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'started';
    this.schedule(0);
  }

  /** True from start until stop: the readiness signal. */
  isRunning(): boolean {
    return this.state === 'started';
  }

  /** For health output: when a tick last succeeded, and how many failed since. */
  status(): { lastSuccessAt: string | null; failuresInRow: number } {
    return { lastSuccessAt: this.lastSuccess?.toISOString() ?? null, failuresInRow: this.failuresInRow };
  }

  /** Stops ticking and waits for the tick in flight. Safe to call more than once. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'started') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    const { intervalMs, backoffMs, maxBackoffMs, logger, name } = this.options;
    try {
      const { again } = await this.options.tick();
      this.failuresInRow = 0;
      this.lastSuccess = new Date();
      this.schedule(again ? 0 : intervalMs);
    } catch (error) {
      this.failuresInRow += 1;
      const wait = Math.min(maxBackoffMs, backoffMs * 2 ** (this.failuresInRow - 1));
      logger.error(
        `The ${name} failed (${this.failuresInRow} in a row), trying again in ${wait} ms: ${messageOf(error)}`,
      );
      this.schedule(Math.max(wait, intervalMs));
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
