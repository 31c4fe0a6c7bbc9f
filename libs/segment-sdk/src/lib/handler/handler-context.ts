import type { SegmentLogger } from '../logging/segment-logger';

/** What a handler gets besides the message. */
export interface HandlerContext {
  /** The attempt number, the same as `message.attempt`. */
  readonly attempt: number;
  /** Logs for this message: stdout and GTOTVSLINKLOG, tagged with the message id. */
  readonly logger: SegmentLogger;
  /**
   * Aborted when the attempt stops counting: the handler timed out, or the app is shutting down and the grace is
   * over. The SDK cannot cancel a running promise; pass this signal to `fetch`, database drivers and the like so
   * abandoned work stops early.
   */
  readonly signal: AbortSignal;
}
