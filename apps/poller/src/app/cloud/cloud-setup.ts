import type { LoggerService } from '@nestjs/common';
import { isRetriable } from '@smartlink/common';
import type { SmartLinkTransport } from '@smartlink/contract';
import type { LogRedactor } from '../logging/log-redactor';
import { retryDelay, type RetryTiming } from '../poll/retry-delay';
import type { Timers } from '@smartlink/common';
import { retryAfterOf } from './retry-after-of';

const RETRY_TIMER = 'poller.setup-retry';

/** What {@link CloudSetup} works with. */
export interface CloudSetupParts {
  readonly cloud: Pick<SmartLinkTransport, 'setup'>;
  readonly timers: Timers;
  readonly logger: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  readonly redactor: LogRedactor;
}

/**
 * Binds the subscribed commands to the tenant queue (`setup`), at boot, on every replica: the cloud routes a
 * message only to a queue set up for its command and loses it otherwise, so the binding must exist as early as
 * possible, whichever replica ends up active. Setup is idempotent (the complete list, not a delta). It retries
 * with backoff until it succeeds; errors that need an operator (refused credentials, a tenant not activated) are
 * logged as errors and retried at the longest delay, since they can be fixed on the cloud side without a
 * restart. Until it succeeds the poller is not ready and does not fetch.
 */
export class CloudSetup {
  private done = false;
  private stopped = false;
  private failures = 0;
  private tenantId: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly parts: CloudSetupParts,
    private readonly subscriptions: readonly string[],
    private readonly timing: RetryTiming,
  ) {}

  /** Starts the first attempt; returns at once, the attempts go on in the background. */
  start(): void {
    this.attempt();
  }

  /** Stops retrying. An attempt in flight ends when the transport is closed. */
  stop(): void {
    this.stopped = true;
    this.parts.timers.cancel(RETRY_TIMER);
  }

  isDone(): boolean {
    return this.done;
  }

  /** Calls `listener` once setup has succeeded. Returns the function that removes it. */
  onDone(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** For readiness details: nothing secret. */
  details(): { subscriptions: number; tenantId: string | null; failures: number } {
    return { subscriptions: this.subscriptions.length, tenantId: this.tenantId, failures: this.failures };
  }

  private attempt(): void {
    if (this.stopped || this.done) return;
    void this.setUp();
  }

  private async setUp(): Promise<void> {
    let tenantId: string;
    let commands: readonly string[];
    try {
      ({ tenantId, subscriptions: commands } = await this.parts.cloud.setup(this.subscriptions));
    } catch (error) {
      if (!this.stopped) this.retryLater(error);
      return;
    }
    if (this.stopped) return;
    this.done = true;
    this.tenantId = tenantId;
    this.parts.logger.log(
      `Set up ${commands.length} commands on the queue of tenant ${tenantId}: ${commands.join(', ')}`,
      CloudSetup.name,
    );
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.parts.logger.error(
          `A setup listener failed: ${this.parts.redactor.errorText(error)}`,
          CloudSetup.name,
        );
      }
    }
  }

  private retryLater(error: unknown): void {
    this.failures += 1;
    const retriable = isRetriable(error);
    const delayMs = retriable
      ? retryDelay(this.failures, retryAfterOf(error), this.timing)
      : this.timing.retryMaxMs;
    const text =
      `Setting up the subscribed commands on the cloud queue failed (attempt ${this.failures}); trying again in ` +
      `${delayMs} ms: ${this.parts.redactor.errorText(error)}`;
    if (retriable) this.parts.logger.warn(text, CloudSetup.name);
    else {
      this.parts.logger.error(
        `${text}. This needs an operator: check the credentials and that the tenant is activated`,
        CloudSetup.name,
      );
    }
    this.parts.timers.after(RETRY_TIMER, delayMs, () => this.attempt());
  }
}
