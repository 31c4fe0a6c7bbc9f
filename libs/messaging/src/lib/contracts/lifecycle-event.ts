import { z } from 'zod';
import type { EventRecord } from '../producer/event-record';
import {
  AttemptField,
  CommandField,
  CorrelatedIdField,
  ErrorTextField,
  InstantField,
  MessageIdField,
  TenantIdField,
} from './contract-fields';
import { JsonCodec } from './json-codec';
import { SmartLinkHeaders } from './smartlink-headers';

/**
 * The internal event log `<ns>.events`: the lifecycle of every message as a stream of events keyed by message id,
 * so one message's events stay in order on one partition. The RM tables are projections of this stream. Only
 * our services produce and consume it; the external contracts are the other topics.
 */
const base = { messageId: MessageIdField, at: InstantField };

/** poller: a message was taken from the cloud queue and is durable here (the cloud is acked after this). */
export const ReceivedEventSchema = z.object({
  type: z.literal('received'),
  ...base,
  command: CommandField,
  tenantId: TenantIdField,
  correlatedId: CorrelatedIdField.nullable(),
  data: z.string(),
  /** CloudEvents `source`, when given. */
  source: z.string().nullable(),
  /** When the message was created at its origin, when the envelope says. */
  occurredAt: z.string().nullable(),
  /** When the cloud broker accepted it, when the server says: the start of the critical time. */
  enqueuedAt: z.string().nullable(),
  envelope: z.enum(['totvs', 'cloudevents']),
});

/** executor or retry-scheduler: an attempt was published to the segment's command topic. */
export const DispatchedEventSchema = z.object({
  type: z.literal('dispatched'),
  ...base,
  command: CommandField,
  attempt: AttemptField,
});

/** executor: the outcome of an attempt is recorded in GTOTVSLINKMESSAGEEXEC. */
export const AttemptFinishedEventSchema = z.object({
  type: z.enum(['succeeded', 'failed', 'fatal']),
  ...base,
  command: CommandField,
  direction: z.enum(['downstream', 'upstream']),
  attempt: AttemptField,
  error: ErrorTextField.nullable(),
  startedAt: InstantField,
  finishedAt: InstantField,
});

export const LifecycleEventSchema = z.discriminatedUnion('type', [
  ReceivedEventSchema,
  DispatchedEventSchema,
  AttemptFinishedEventSchema,
]);
export type LifecycleEvent = z.infer<typeof LifecycleEventSchema>;
export type ReceivedEvent = z.infer<typeof ReceivedEventSchema>;
export type DispatchedEvent = z.infer<typeof DispatchedEventSchema>;
export type AttemptFinishedEvent = z.infer<typeof AttemptFinishedEventSchema>;

export const lifecycleEventCodec = new JsonCodec('lifecycle event', LifecycleEventSchema);

/** The record for the event log: key = message id; the schema header names the event type. */
export function lifecycleEventRecord(event: LifecycleEvent): EventRecord {
  return {
    key: event.messageId,
    value: lifecycleEventCodec.encode(event),
    headers: {
      [SmartLinkHeaders.messageId]: event.messageId,
      [SmartLinkHeaders.schema]: `event/${event.type}/v1`,
    },
  };
}
