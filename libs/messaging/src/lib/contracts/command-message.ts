import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import {
  AttemptField,
  CommandField,
  CorrelatedIdField,
  InstantField,
  MessageIdField,
  TenantIdField,
} from './contract-fields';
import { JsonCodec } from './json-codec';
import { SmartLinkHeaders } from './smartlink-headers';

/** executor → segment on `<ns>.cmd.<Command>`: one execution (attempt) of one message. Key: the message id. */
export const CommandMessageSchema = z.object({
  id: MessageIdField,
  command: CommandField,
  tenantId: TenantIdField.nullable(),
  correlatedId: CorrelatedIdField.nullable(),
  /** 1 on the first execution; a segment deduplicates on (id, attempt). */
  attempt: AttemptField,
  /** The business payload as text (RM's `Data`: JSON, XML or anything the segment understands). */
  data: z.string(),
  /** When the client took the message from the cloud queue. */
  receivedAt: InstantField,
});
export type CommandMessage = z.infer<typeof CommandMessageSchema>;

export const COMMAND_MESSAGE_SCHEMA_ID = 'command-message/v1';
export const commandMessageCodec = new JsonCodec('command message', CommandMessageSchema);

/**
 * The record for a command topic: key = message id, headers carry id, attempt, command and correlation id, and the
 * attempt's start deadline when given ({@link SmartLinkHeaders.startBy}).
 */
export function commandMessageRecord(
  message: CommandMessage,
  options: { readonly runAlone?: boolean; readonly startBy?: Date } = {},
): EventRecord {
  return {
    key: message.id,
    value: commandMessageCodec.encode(message),
    headers: {
      [SmartLinkHeaders.messageId]: message.id,
      [SmartLinkHeaders.attempt]: String(message.attempt),
      [SmartLinkHeaders.command]: message.command,
      ...(message.correlatedId === null ? {} : { [SmartLinkHeaders.correlationId]: message.correlatedId }),
      [SmartLinkHeaders.schema]: COMMAND_MESSAGE_SCHEMA_ID,
      ...(options.runAlone === true && { [SmartLinkHeaders.runAlone]: 'true' }),
      ...(options.startBy !== undefined && { [SmartLinkHeaders.startBy]: options.startBy.toISOString() }),
    },
  };
}
