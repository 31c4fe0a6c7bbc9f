import { z } from 'zod';

/**
 * Query parameter of `GET /link/get` asking for up to N messages. Not public ([?] in smartlink-domain.md
 * §1.5): our extension. A server given no `max` returns at most one message, the one-message-per-call
 * behaviour the Protheus API suggests ([I S12]); a server may return fewer than asked, never more.
 */
export const GET_MAX_PARAM = 'max';
export const MAX_GET_BATCH = 1000;

/**
 * One delivery of a queued message. The body is the envelope exactly as the publisher sent it, carried as a
 * string rather than embedded JSON: payloads may be any text format ([C S4]), and a broken envelope must
 * travel inside a well-formed response so it can be refused on its own without failing its batch.
 */
export const WireDeliverySchema = z.object({
  /** Opaque handle of this delivery; ack it to remove the message. A redelivery gets a new receipt. */
  receipt: z.string().min(1).max(512),
  /** The broker's id of the message, stable across redeliveries (AMQP `message-id`). */
  messageId: z.string().min(1).max(512).optional(),
  /** The raw envelope text (TOTVS or CloudEvents style), byte for byte as published. */
  body: z.string(),
  /** When the broker accepted the message (ISO-8601). */
  enqueuedAt: z.iso.datetime({ offset: true }).optional(),
  /** 1 on first delivery, more when the message came back after an un-acked delivery. */
  deliveryCount: z.number().int().min(1).optional(),
});
export type WireDelivery = z.infer<typeof WireDeliverySchema>;

/** Body of the `GET /link/get` response: deliveries in queue order, possibly none. */
export const GetResponseSchema = z.object({
  messages: z.array(WireDeliverySchema).max(MAX_GET_BATCH),
});
export type GetResponse = z.infer<typeof GetResponseSchema>;
