import { MessageLimits } from '@smartlink/common';
import { z } from 'zod';
import { CommandNameSchema } from '../command/command-name-schema';

/** Upper bound on commands in one setup; far above any segment count, low enough to bound the body. */
export const MAX_SETUP_SUBSCRIPTIONS = 1000;

/**
 * Body of `POST /link/setup` ([C P1 `GRRSLMakeSetup`]): the message types the tenant queue subscribes to and
 * the tenants whose queue is set up (the client sends the tenant of its own token).
 */
export const SetupRequestSchema = z.object({
  subscriptions: z.array(CommandNameSchema).max(MAX_SETUP_SUBSCRIPTIONS),
  tenants: z.array(z.string().min(1).max(MessageLimits.TENANT_ID)).min(1).max(100),
});
export type SetupRequest = z.infer<typeof SetupRequestSchema>;
