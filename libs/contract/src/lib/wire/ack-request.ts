import { z } from 'zod';

/** Upper bound on receipts in one ack, matching the largest batch a get can return. */
export const MAX_ACK_RECEIPTS = 1000;

/**
 * Body of `POST /link/ack`: the receipts of the deliveries to remove from the queue. The method and body are
 * not public ([?]/[I] in smartlink-domain.md §1.5); acking by receipt mirrors AMQP's ack by delivery tag.
 */
export const AckRequestSchema = z.object({
  receipts: z.array(z.string().min(1).max(512)).min(1).max(MAX_ACK_RECEIPTS),
});
export type AckRequest = z.infer<typeof AckRequestSchema>;

/**
 * Body of the ack response. `ignored` counts receipts that matched no delivery in flight (unknown, already
 * acked, or stale because the visibility timeout returned the message to the queue): acking them is harmless.
 */
export const AckResponseSchema = z.object({
  acked: z.number().int().min(0),
  ignored: z.number().int().min(0),
});
export type AckResponse = z.infer<typeof AckResponseSchema>;
