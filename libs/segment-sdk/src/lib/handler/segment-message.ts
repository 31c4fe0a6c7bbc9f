/**
 * One execution (attempt) of one message, as a handler gets it: the `CommandMessage` of `<ns>.cmd.<Command>`.
 * The same (id, attempt) can arrive more than once (delivery is at-least-once); a handler with side effects
 * outside its own database transaction should make them idempotent on `id`.
 */
export interface SegmentMessage {
  /** The cloud message id; unique per message, the same on every attempt. */
  readonly id: string;
  /** The command (message type), e.g. `SGDPDataCommand`. */
  readonly command: string;
  readonly tenantId: string | null;
  /** Correlates a reply with its request (RM's `CorrelatedId`). */
  readonly correlatedId: string | null;
  /** 1 on the first execution, 2 on the first retry... */
  readonly attempt: number;
  /** The business payload as text, exactly as the cloud sent it (RM's `Data`): parse it yourself. */
  readonly data: string;
  /** When the client took the message from the cloud queue (ISO-8601). */
  readonly receivedAt: string;
}
