import { PayloadTooLargeError, type RefusedMessage } from '@smartlink/contract';
import type { DeadLetterReason } from '@smartlink/messaging';

/** Why a delivery was refused, as the dead letter records it. */
export interface RefusalReason {
  readonly reason: DeadLetterReason;
  /** Stable code: PAYLOAD_TOO_LARGE, ILLEGAL_COMMAND_NAME or MALFORMED_MESSAGE. */
  readonly errorCode: string;
}

// Where each envelope style names the command.
const COMMAND_FIELDS = new Set(['type', 'header.type']);

/**
 * Tells the three refusals apart. The contract lib reports an illegal command name as a malformed envelope at
 * its `type` field; it is an illegal command when that field holds a string (the name may not become a topic),
 * and malformed when it is missing or not a string.
 */
export function refusalReason(refused: RefusedMessage): RefusalReason {
  const { error } = refused;
  if (error instanceof PayloadTooLargeError) return { reason: 'oversize', errorCode: error.code };
  if (COMMAND_FIELDS.has(error.field) && typeof valueAt(refused.raw, error.field) === 'string') {
    return { reason: 'illegal-command', errorCode: 'ILLEGAL_COMMAND_NAME' };
  }
  return { reason: 'malformed', errorCode: error.code };
}

function valueAt(raw: string, path: string): unknown {
  try {
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    let value: unknown = JSON.parse(text);
    for (const key of path.split('.')) {
      value =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    }
    return value;
  } catch {
    return undefined;
  }
}
