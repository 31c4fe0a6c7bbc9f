/**
 * Which way a message travels, stored in `DIRECAO`. The values are RM's: changing them breaks existing rows.
 */
export const MessageDirection = {
  /** Upstream: a segment's message sent to the cloud (`send/{type}/{audience}`). */
  Upstream: 0,
  /** Downstream: a message received from the cloud queue and executed by a segment. */
  Downstream: 1,
} as const;

/** A {@link MessageDirection} value as stored in `DIRECAO`. */
export type MessageDirection = (typeof MessageDirection)[keyof typeof MessageDirection];
