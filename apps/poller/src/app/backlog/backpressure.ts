import type { LoggerService } from '@nestjs/common';
import type { LogRedactor } from '../logging/log-redactor';
import type { Backlog, BacklogReader } from './backlog-reader';

/** Whether the poller may fetch: yes, no (backlog at the high-water mark), or unknown (the backlog could not be read). */
export type FetchGate = 'open' | 'closed' | 'unknown';

/** Tuning of {@link Backpressure}. */
export interface BackpressureOptions {
  readonly highWater: number;
  /** How old a reading may get before it is read again. */
  readonly refreshMs: number;
}

/**
 * Keeps the poller from fetching faster than the executor works: before each get it compares the backlog with
 * the high-water mark. Readings are refreshed at most every `refreshMs`; in between, what the poller appended
 * since is added, so the estimate can only overcount. Logs once at warn when fetching stops and once when it
 * resumes, not on every check. When the backlog cannot be read, it does not fetch: a database or cluster that
 * cannot answer a count cannot take more work either.
 */
export class Backpressure {
  private reading: Backlog | null = null;
  private readAt = Number.NEGATIVE_INFINITY;
  private appendedSince = 0;
  private engaged = false;
  private unreadable = false;

  constructor(
    private readonly reader: Pick<BacklogReader, 'read'>,
    private readonly options: BackpressureOptions,
    private readonly now: () => number,
    private readonly logger: Pick<LoggerService, 'log' | 'warn'>,
    private readonly redactor: LogRedactor,
  ) {}

  /** Checks the backlog before a get. */
  async check(): Promise<FetchGate> {
    if (this.now() - this.readAt >= this.options.refreshMs) {
      try {
        this.reading = await this.reader.read();
        this.readAt = this.now();
        this.appendedSince = 0;
        if (this.unreadable) this.logger.log('The backlog can be read again', Backpressure.name);
        this.unreadable = false;
      } catch (error) {
        if (!this.unreadable) {
          this.logger.warn(
            `Cannot read the backlog, so not fetching from the cloud until it can be read: ${this.redactor.errorText(error)}`,
            Backpressure.name,
          );
        }
        this.unreadable = true;
        return 'unknown';
      }
    }
    const backlog = this.estimate();
    const { highWater } = this.options;
    if (backlog >= highWater && !this.engaged) {
      this.logger.warn(
        `Backlog of ${backlog} undone messages reached BACKLOG_HIGH_WATER=${highWater}: not fetching from the cloud until it drops below`,
        Backpressure.name,
      );
    } else if (backlog < highWater && this.engaged) {
      this.logger.warn(
        `Backlog down to ${backlog} undone messages, below BACKLOG_HIGH_WATER=${highWater}: fetching again`,
        Backpressure.name,
      );
    }
    this.engaged = backlog >= highWater;
    return this.engaged ? 'closed' : 'open';
  }

  /** Counts received events appended since the last reading. */
  appended(count: number): void {
    this.appendedSince += count;
  }

  /** The current estimate and state, for readiness details and tests. */
  snapshot(): { backlog: number | null; engaged: boolean; highWater: number } {
    return {
      backlog: this.reading === null ? null : this.estimate(),
      engaged: this.engaged,
      highWater: this.options.highWater,
    };
  }

  private estimate(): number {
    return (this.reading?.total ?? 0) + this.appendedSince;
  }
}
