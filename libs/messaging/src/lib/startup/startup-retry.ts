import { Logger, type LoggerService } from '@nestjs/common';
import { toKafkaError } from '../errors/to-kafka-error';
import { KafkaStartupTimeoutError } from './kafka-startup-timeout-error';
import { startupBackoffMs } from './startup-backoff';

/** What a {@link StartupRetry} needs; everything but the budget has a production default and exists for tests. */
export interface StartupRetryOptions {
  /** KAFKA_STARTUP_RETRY_MS: how long, from the first retriable error, start-up keeps trying. 0: it never retries. */
  readonly budgetMs: number;
  /** Receives one warning per retry. Default: a Nest `Logger`. */
  readonly logger?: Pick<LoggerService, 'warn'>;
  /** Clock in epoch ms. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1), like `Math.random`. */
  readonly random?: () => number;
}

const CONTEXT = 'KafkaStartup';

/**
 * Retries the Kafka steps of a service's start-up (connecting, creating topics, joining consumer groups and leases)
 * while they fail with a retriable error: a broker still starting, a coordinator loading, partitions of topics just
 * created not hosted yet, no leader yet. Waits grow from 500 ms to 10 s with jitter ({@link startupBackoffMs}), each
 * logged as a warning with what is retried and for how long still. Errors that are not retriable (authentication,
 * authorisation, bad configuration) fail at once.
 *
 * One per `KafkaClient`, shared by all its start-up steps: the budget runs from the first retriable error of any of
 * them, so a whole start-up waits at most KAFKA_STARTUP_RETRY_MS for Kafka, then fails with
 * {@link KafkaStartupTimeoutError}, whose message says what it waited for and what to check.
 *
 * Written here rather than taken from a retry package: none offers one time budget shared across several calls, or
 * the remaining time to put in each warning.
 */
export class StartupRetry {
  private readonly budgetMs: number;
  private readonly logger: Pick<LoggerService, 'warn'>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private firstFailureAt: number | null = null;

  constructor(options: StartupRetryOptions) {
    this.budgetMs = options.budgetMs;
    this.logger = options.logger ?? new Logger(CONTEXT);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * Runs `attempt` until it resolves, retrying retriable errors within the budget.
   *
   * @param what the step, for the log and the final error, e.g. `creating topics smartlink.events`
   * @param cancelled asked after each failure and wait: true (the caller is stopping) rethrows the last error
   * @returns what `attempt` resolved with
   * @throws the first non-retriable error as a `SmartLinkError`; {@link KafkaStartupTimeoutError} once the budget is
   *   spent (or, with a budget of 0, the first error itself)
   */
  async run<T>(what: string, attempt: () => Promise<T>, cancelled: () => boolean = () => false): Promise<T> {
    for (let retry = 1; ; retry += 1) {
      try {
        return await attempt();
      } catch (error) {
        const failure = toKafkaError(error, what);
        if (!failure.retriable || cancelled() || this.budgetMs === 0) throw failure;
        const now = this.now();
        this.firstFailureAt ??= now;
        const remainingMs = this.firstFailureAt + this.budgetMs - now;
        if (remainingMs <= 0) throw new KafkaStartupTimeoutError(what, this.budgetMs, failure);
        const delayMs = Math.min(startupBackoffMs(retry, this.random()), remainingMs);
        this.logger.warn(
          `${failure.message} (${failure.code}); start-up tries ${what} again in ${seconds(delayMs)}, ` +
            `for at most ${seconds(remainingMs)} more (KAFKA_STARTUP_RETRY_MS)`,
          CONTEXT,
        );
        await this.sleep(delayMs);
        if (cancelled()) throw failure;
      }
    }
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
