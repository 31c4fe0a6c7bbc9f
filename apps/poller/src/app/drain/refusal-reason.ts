import { IllegalCommandNameError, PayloadTooLargeError, type RefusedMessage } from '@smartlink/contract';
import type { DeadLetterReason } from '@smartlink/messaging';

/** Why a delivery was refused, as the dead letter records it. */
export interface RefusalReason {
  readonly reason: DeadLetterReason;
  /** Stable code: PAYLOAD_TOO_LARGE, ILLEGAL_COMMAND_NAME or MALFORMED_MESSAGE. */
  readonly errorCode: string;
}

/** Tells the three refusals of the contract lib apart: oversize, an illegal command name, anything else malformed. */
export function refusalReason(refused: RefusedMessage): RefusalReason {
  const { error } = refused;
  if (error instanceof PayloadTooLargeError) return { reason: 'oversize', errorCode: error.code };
  if (error instanceof IllegalCommandNameError) return { reason: 'illegal-command', errorCode: error.code };
  return { reason: 'malformed', errorCode: error.code };
}
