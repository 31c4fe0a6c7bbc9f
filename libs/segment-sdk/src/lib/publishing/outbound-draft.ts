import { MessageLimits } from '@smartlink/common';
import {
  IllegalAudienceError,
  IllegalCommandNameError,
  parseAudience,
  parseCommandName,
} from '@smartlink/contract';
import { outboundMessageRecord, type EventRecord, type OutboundMessage } from '@smartlink/messaging';
import { InvalidPublishError } from '../errors/invalid-publish-error';
import type { PublishInput } from './publish-input';

/** A message checked against the outbound contract, with its id, ready for `<ns>.outbound`. */
export interface OutboundDraft {
  readonly id: string;
  readonly message: OutboundMessage;
  readonly record: EventRecord;
}

// Message ids key Kafka records and the message table; the same rule as the cloud contract's envelope ids.
const MESSAGE_ID_PATTERN = /^[\x21-\x7E]+$/;

/**
 * Checks a message before it leaves the segment and builds its record: legal command and audience, data a string of
 * at most `maxDataBytes` UTF-8 bytes without NUL (PostgreSQL text refuses it), a correlation id that fits
 * `CORRELATEDID`, an id that can key a record and a row. Throws {@link InvalidPublishError} naming the field.
 */
export function outboundDraft(input: PublishInput, id: string, maxDataBytes: number): OutboundDraft {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidPublishError('(input)', 'must be an object with command, audience and data');
  }
  if (typeof id !== 'string' || id.length === 0 || id.length > MessageLimits.MESSAGE_ID) {
    throw new InvalidPublishError('id', `must be 1-${MessageLimits.MESSAGE_ID} characters`);
  }
  if (!MESSAGE_ID_PATTERN.test(id)) {
    throw new InvalidPublishError('id', 'may hold only printable ASCII without spaces');
  }
  const command = checked('command', () => parseCommandName(input.command));
  const audience = checked('audience', () => parseAudience(input.audience));
  const { data, correlatedId } = input;
  if (typeof data !== 'string') {
    throw new InvalidPublishError('data', `must be a string (serialise it first), got ${typeName(data)}`);
  }
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes > maxDataBytes) {
    throw new InvalidPublishError('data', `is ${bytes} bytes, at most ${maxDataBytes} allowed`);
  }
  if (data.includes('\u0000')) throw new InvalidPublishError('data', 'holds a NUL character');
  if (correlatedId !== undefined) {
    if (typeof correlatedId !== 'string' || correlatedId.length === 0) {
      throw new InvalidPublishError('correlatedId', 'must be a non-empty string when given');
    }
    if (correlatedId.length > MessageLimits.CORRELATED_ID) {
      throw new InvalidPublishError(
        'correlatedId',
        `is ${correlatedId.length} characters, at most ${MessageLimits.CORRELATED_ID} allowed`,
      );
    }
    if (correlatedId.includes('\u0000'))
      throw new InvalidPublishError('correlatedId', 'holds a NUL character');
  }
  const message: OutboundMessage = {
    command,
    audience,
    data,
    ...(correlatedId !== undefined && { correlatedId }),
  };
  return { id, message, record: outboundMessageRecord(id, message) };
}

function checked(field: 'command' | 'audience', parse: () => string): string {
  try {
    return parse();
  } catch (error) {
    if (error instanceof IllegalCommandNameError || error instanceof IllegalAudienceError) {
      throw new InvalidPublishError(field, `is illegal: ${error.reason}`);
    }
    throw error;
  }
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
