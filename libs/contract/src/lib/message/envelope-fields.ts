import { MessageLimits } from '@smartlink/common';
import { z } from 'zod';

/**
 * A message id becomes a Kafka key and the primary key of the message table, so it is bounded and limited to
 * printable ASCII without spaces: UUIDs, ULIDs and CloudEvents ids in practice all fit.
 */
export const MAX_MESSAGE_ID_LENGTH = MessageLimits.MESSAGE_ID;
export const MessageIdSchema = z
  .string()
  .min(1)
  .max(MAX_MESSAGE_ID_LENGTH)
  .regex(/^[\x21-\x7E]+$/, { message: 'expected printable ASCII without spaces' });

/** A tenant id as found in envelopes (RAC tenants are UUIDs, [C S11], but envelopes are not held to that). */
export const TenantIdSchema = z.string().min(1).max(MessageLimits.TENANT_ID);

/** An ISO-8601 date-time, with or without offset (Protheus writes `generatedOn` in UTC, [C S13]). */
export const EnvelopeTimeSchema = z.iso.datetime({ offset: true, local: true });

/** Free-text metadata (CloudEvents `source`): bounded so a hostile envelope cannot bloat logs and rows. */
export const EnvelopeTextSchema = z.string().max(512);

/** The id of the message this one answers; sized to `GTOTVSLINKMESSAGE.CORRELATEDID`. */
export const CorrelatedIdSchema = z.string().max(MessageLimits.CORRELATED_ID);
