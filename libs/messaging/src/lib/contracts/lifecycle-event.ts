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
 *
 * Two types are no longer produced (docs/design/lean-event-flow.md, step 1): `dispatched`, because the command
 * record on `<ns>.cmd.<Command>` is the dispatch, and `succeeded`, because the outcome record on `<ns>.outcomes` and
 * the history row are the end of the attempt. Both are still decoded: an upgrade can leave records of an older
 * version on the topic, and every consumer ignores them, as it always did.
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

/**
 * No longer produced; older executors wrote it when they had published an attempt to the segment's command topic.
 * Decoded so that such records still read, and ignored by every consumer.
 */
export const DispatchedEventSchema = z
  .object({
    type: z.literal('dispatched'),
    ...base,
    command: CommandField,
    attempt: AttemptField,
  })
  .meta({ deprecated: true });

const DirectionField = z.enum(['downstream', 'upstream']);

/**
 * executor: an attempt that failed (a retry follows) or was fatal is recorded in GTOTVSLINKMESSAGEEXEC (upstream: the
 * send to the cloud); retry-scheduler: a dispatched attempt got no outcome in time (failed). `succeeded` is no longer
 * produced: older executors wrote it for a successful attempt; it still decodes, and every consumer ignores it.
 */
export const AttemptFinishedEventSchema = z.object({
  type: z.enum(['succeeded', 'failed', 'fatal']),
  ...base,
  command: CommandField,
  direction: DirectionField,
  attempt: AttemptField,
  error: ErrorTextField.nullable(),
  startedAt: InstantField,
  finishedAt: InstantField,
  /** Upstream only: the cloud's Retry-After (429/503), which overrides the computed delay of the next attempt. */
  retryAfterMs: z.number().int().min(0).nullable().optional(),
});

/** executor: a segment published a message for the cloud; it is stored in GTOTVSLINKMESSAGE (DIRECAO 0). */
export const PublishedEventSchema = z.object({
  type: z.literal('published'),
  ...base,
  command: CommandField,
  audience: z.string(),
  correlatedId: CorrelatedIdField.nullable(),
});

/** retry-scheduler: after a failed attempt, the next one is planned at `dueAt` (DATATENTATIVAEXEC). */
export const RetryScheduledEventSchema = z.object({
  type: z.literal('retry-scheduled'),
  ...base,
  command: CommandField,
  direction: DirectionField,
  /** The attempt that will run at `dueAt`. */
  attempt: AttemptField,
  dueAt: InstantField,
});

/**
 * retry-scheduler: a planned attempt fell due and was claimed (STATUS dispatched); the executor runs it now,
 * publishing to the command topic (downstream) or sending to the cloud (upstream).
 */
export const RetryDueEventSchema = z.object({
  type: z.literal('retry-due'),
  ...base,
  command: CommandField,
  direction: DirectionField,
  attempt: AttemptField,
  /** When the attempt was due (DATATENTATIVAEXEC): `at - dueAt` is the scheduling lateness. */
  dueAt: InstantField,
});

/** retry-scheduler: the message will not run again without an operator; a record went to `<ns>.deadletter`. */
export const DeadLetteredEventSchema = z.object({
  type: z.literal('dead-lettered'),
  ...base,
  command: CommandField,
  direction: DirectionField,
  attempts: z.number().int().min(0),
  reason: z.enum(['fatal', 'attempts-exhausted']),
  error: ErrorTextField.nullable(),
});

/** retry-scheduler: an operator put a dead message back into execution. */
export const RedrivenEventSchema = z.object({
  type: z.literal('redriven'),
  ...base,
  command: CommandField,
  direction: DirectionField,
  /** Who asked (operator name or "cli"/"http"), and why, for the audit trail. */
  by: z.string().min(1).max(200),
  reason: z.string().max(1000).nullable(),
});

export const LifecycleEventSchema = z.discriminatedUnion('type', [
  ReceivedEventSchema,
  DispatchedEventSchema,
  AttemptFinishedEventSchema,
  PublishedEventSchema,
  RetryScheduledEventSchema,
  RetryDueEventSchema,
  DeadLetteredEventSchema,
  RedrivenEventSchema,
]);
export type LifecycleEvent = z.infer<typeof LifecycleEventSchema>;
export type ReceivedEvent = z.infer<typeof ReceivedEventSchema>;
export type DispatchedEvent = z.infer<typeof DispatchedEventSchema>;
export type AttemptFinishedEvent = z.infer<typeof AttemptFinishedEventSchema>;
export type PublishedEvent = z.infer<typeof PublishedEventSchema>;
export type RetryScheduledEvent = z.infer<typeof RetryScheduledEventSchema>;
export type RetryDueEvent = z.infer<typeof RetryDueEventSchema>;
export type DeadLetteredEvent = z.infer<typeof DeadLetteredEventSchema>;
export type RedrivenEvent = z.infer<typeof RedrivenEventSchema>;

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
