import type { EventRecord } from '@smartlink/messaging';
import { AttemptEndedError } from '../errors/attempt-ended-error';
import type { SegmentMessage } from '../handler/segment-message';
import { outboundDraft } from './outbound-draft';
import type { PublishInput, ReplyInput } from './publish-input';
import { handlerPublishId } from './reply-message-id';

/**
 * What a handler publishes during one attempt (`context.publish`, `context.reply`). Nothing leaves at once: the
 * records go out in the same send as the attempt's outcome, ahead of it, and only if the attempt succeeded, so an
 * outcome never reaches the executor without the replies of its attempt. Ids are derived from the handled message's
 * id and the publish's position in the run, so a re-run publishes the same ids and the executor stores them once.
 */
export class AttemptOutbox {
  private readonly drafts: EventRecord[] = [];
  private ended = false;

  constructor(
    private readonly handled: Pick<SegmentMessage, 'id'>,
    private readonly maxDataBytes: number,
  ) {}

  /** Validates the message and queues it for the outcome's send; returns its id. */
  publish(input: PublishInput): string {
    if (this.ended) throw new AttemptEndedError(this.handled.id);
    const draft = outboundDraft(
      input,
      handlerPublishId(this.handled.id, this.drafts.length + 1),
      this.maxDataBytes,
    );
    this.drafts.push(draft.record);
    return draft.id;
  }

  /** {@link publish} with `correlatedId` = the handled message's id. */
  reply(input: ReplyInput): string {
    return this.publish({ ...input, correlatedId: this.handled.id });
  }

  /** Ends the attempt: later publishes throw {@link AttemptEndedError}. Returns the queued records. */
  end(): readonly EventRecord[] {
    this.ended = true;
    return this.drafts;
  }
}
