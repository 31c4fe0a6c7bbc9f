import type { IllegalCommandNameError } from '../command/command-name';
import type { MalformedMessageError } from '../errors/malformed-message-error';
import type { PayloadTooLargeError } from '../errors/payload-too-large-error';

/** Which of the two envelope styles (smartlink-domain.md §1.6) a message arrived in. */
export type EnvelopeStyle = 'totvs' | 'cloudevents';

/** A message taken from the tenant queue, whichever envelope it came in. */
export interface CloudMessage {
  /**
   * Unique id used to absorb redeliveries. CloudEvents: the envelope `id` (unique per source by the CloudEvents
   * spec), else the broker message id. TOTVS: the broker message id, else `header.transactionId` (a
   * transaction may span several messages, so the broker id comes first).
   */
  readonly id: string;
  /** Message type, a legal command name. */
  readonly command: string;
  /** From the envelope (`tenantid`/`tenantId`, `header.tenantId`), else the tenant of the queue. */
  readonly tenantId: string;
  /** CloudEvents `correlationid`; TOTVS `header.correlationId`/`correlatedId`; else null. */
  readonly correlatedId: string | null;
  /**
   * The business payload as text: a JSON string value is unwrapped (RM's `Data` is text in any format), any
   * other JSON value is its exact text as received, never re-serialised.
   */
  readonly data: string;
  /** CloudEvents `source`; null in TOTVS style. */
  readonly source: string | null;
  /** CloudEvents `time` or TOTVS `header.generatedOn`, as received (validated ISO-8601); else null. */
  readonly occurredAt: string | null;
  readonly envelope: EnvelopeStyle;
  /** Handle to ack this delivery with. */
  readonly receipt: string;
  /** 1 on first delivery, more on redelivery; null when the server does not say. */
  readonly deliveryCount: number | null;
  /** When the broker accepted the message; null when the server does not say. */
  readonly enqueuedAt: string | null;
}

/** A delivery that could not become a {@link CloudMessage}; refuse or dead-letter it alone. */
export interface RefusedMessage {
  readonly ok: false;
  readonly receipt: string;
  /** The broker message id, when the server gave one. */
  readonly messageId: string | null;
  /** The body exactly as received, for the dead letter. */
  readonly raw: string;
  readonly error: MalformedMessageError | PayloadTooLargeError | IllegalCommandNameError;
}

/** Result for one delivery of a batch: each message succeeds or fails on its own. */
export type ReceivedMessage = { readonly ok: true; readonly message: CloudMessage } | RefusedMessage;
