/**
 * A message for the cloud (RM's `SmartLinkPublisherAddMessageParams`): the executor stores it in
 * GTOTVSLINKMESSAGE and sends it to `send/{command}/{audience}`.
 */
export interface PublishInput {
  /** The message type, e.g. `SGDPMaskResponse`: `[A-Za-z0-9._-]`, starting with a letter or digit, ≤ 100 characters. */
  readonly command: string;
  /** The TOTVS App it is for, e.g. `SGDP`: same characters as a command, ≤ 100. */
  readonly audience: string;
  /** The business payload as text. JSON text travels as JSON inside the cloud envelope; other text as a string. */
  readonly data: string;
  /** The id of the message this one answers (RM's `CorrelatedId`), ≤ 512 characters. */
  readonly correlatedId?: string;
}

/** {@link PublishInput} with an id of the caller's choosing, for `SegmentPublisher.publish` outside a handler. */
export interface StandalonePublishInput extends PublishInput {
  /**
   * The message id (printable ASCII without spaces, ≤ 128). Publishing the same id again is absorbed by the
   * executor, which makes a retried publish safe. Default: a random UUID.
   */
  readonly id?: string;
}

/** A reply to the message being handled: its `correlatedId` is that message's id. */
export type ReplyInput = Omit<PublishInput, 'correlatedId'>;
