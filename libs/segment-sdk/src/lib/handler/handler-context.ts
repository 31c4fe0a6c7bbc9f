import type { SegmentLogger } from '../logging/segment-logger';
import type { PublishInput, ReplyInput } from '../publishing/publish-input';

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
  /**
   * Publishes a message for the cloud (RM's `AddMessage` from inside a consumer) and returns its id at once. The
   * message is validated now and goes out with this attempt's outcome, ahead of it, only if the attempt succeeds:
   * a failed, fatal or timed-out attempt publishes nothing. Its id is derived from the handled message's id and the
   * publish's position in this run, so a retry or redelivery that publishes in the same order reuses the ids and the
   * executor sends each message once.
   * @throws InvalidPublishError when the input breaks the outbound contract.
   */
  publish(input: PublishInput): string;
  /** {@link publish} with `correlatedId` = the id of the message being handled: a reply to it. */
  reply(input: ReplyInput): string;
}
