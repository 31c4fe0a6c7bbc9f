import type { LogRecord } from '@smartlink/messaging';

/** Late lines kept at most; beyond this the oldest are dropped (they are on stdout already). */
export const MAX_LATE_LOGS = 10_000;

/**
 * Log records written outside a chunk in progress: by handlers that outlived their timeout. The next chunk
 * publishes them with its own records, and shutdown flushes what is left.
 */
export class LateLogBuffer {
  private records: LogRecord[] = [];

  add(record: LogRecord): void {
    this.records.push(record);
    this.trim();
  }

  /** Takes every record out; give them back with {@link putBack} if publishing fails. */
  take(): LogRecord[] {
    const taken = this.records;
    this.records = [];
    return taken;
  }

  /** Returns records whose publishing failed, ahead of any written since. */
  putBack(records: readonly LogRecord[]): void {
    this.records = [...records, ...this.records];
    this.trim();
  }

  private trim(): void {
    if (this.records.length > MAX_LATE_LOGS) this.records.splice(0, this.records.length - MAX_LATE_LOGS);
  }
}
