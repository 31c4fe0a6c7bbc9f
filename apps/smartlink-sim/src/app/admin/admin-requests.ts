import { CommandNameSchema, MAX_MESSAGE_ID_LENGTH } from '@smartlink/contract';
import { z } from 'zod';

const optionalText = z.string().max(512).nullish();

const CloudEventsSpecSchema = z.object({
  style: z.literal('cloudevents'),
  type: CommandNameSchema,
  data: z.json(),
  id: z.string().min(1).max(MAX_MESSAGE_ID_LENGTH).optional(),
  correlationId: optionalText,
  source: optionalText,
});

const TotvsSpecSchema = z.object({
  style: z.literal('totvs'),
  type: CommandNameSchema,
  content: z.json(),
  transactionId: z.string().min(1).max(MAX_MESSAGE_ID_LENGTH).optional(),
  correlationId: optionalText,
});

const RawSpecSchema = z.object({ raw: z.string(), type: z.string().min(1).max(200).optional() });
/** A body given as bytes (base64), which may be anything, invalid UTF-8 included. */
const RawBytesSpecSchema = z.object({
  rawBase64: z.base64(),
  type: z.string().min(1).max(200).optional(),
});

/**
 * `POST /admin/tenants/:tenantId/messages`: publish a batch. Structured messages are built into envelopes by
 * `SimEnvelope`; raw ones go as given. `direct` skips routing by the setup bindings.
 */
export const EnqueueRequestSchema = z.object({
  messages: z
    .array(z.union([CloudEventsSpecSchema, TotvsSpecSchema, RawSpecSchema, RawBytesSpecSchema]))
    .min(1)
    .max(100_000),
  direct: z.boolean().default(false),
});
export type EnqueueRequest = z.infer<typeof EnqueueRequestSchema>;

/** `POST /admin/tenants/:tenantId/messages/generate`: publish `count` synthetic messages without a large body. */
export const GenerateRequestSchema = z.object({
  count: z.int().min(1).max(1_000_000),
  type: CommandNameSchema,
  style: z.enum(['cloudevents', 'totvs']).default('cloudevents'),
  payloadBytes: z
    .int()
    .min(0)
    .max(64 * 1024 * 1024)
    .default(1024),
  direct: z.boolean().default(false),
});
export type GenerateRequest = z.infer<typeof GenerateRequestSchema>;

/** `PUT /admin/config`: runtime knobs of the queues. */
export const ConfigRequestSchema = z.object({
  visibilityTimeoutMs: z.int().min(1).max(3_600_000),
});
export type ConfigRequest = z.infer<typeof ConfigRequestSchema>;
