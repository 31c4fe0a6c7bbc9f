import { AudienceSchema } from '@smartlink/contract';
import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import { CommandField, CorrelatedIdField, MessageIdField } from './contract-fields';
import { JsonCodec } from './json-codec';
import { SmartLinkHeaders } from './smartlink-headers';

/**
 * segment → executor on `<ns>.outbound`: a message for the cloud (RM's `AddMessage`). Key: the message id, which
 * the publisher generates; it becomes the id of the upstream row in GTOTVSLINKMESSAGE.
 */
export const OutboundMessageSchema = z.object({
  command: CommandField,
  audience: AudienceSchema,
  data: z.string(),
  correlatedId: CorrelatedIdField.min(1).optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessageSchema>;

export const OUTBOUND_MESSAGE_SCHEMA_ID = 'outbound-message/v1';
export const outboundMessageCodec = new JsonCodec('outbound message', OutboundMessageSchema);

/** The record for the outbound topic: key = the message id chosen by the publisher. */
export function outboundMessageRecord(messageId: string, message: OutboundMessage): EventRecord {
  return {
    key: MessageIdField.parse(messageId),
    value: outboundMessageCodec.encode(message),
    headers: {
      [SmartLinkHeaders.messageId]: messageId,
      [SmartLinkHeaders.command]: message.command,
      ...(message.correlatedId === undefined
        ? {}
        : { [SmartLinkHeaders.correlationId]: message.correlatedId }),
      [SmartLinkHeaders.schema]: OUTBOUND_MESSAGE_SCHEMA_ID,
    },
  };
}
