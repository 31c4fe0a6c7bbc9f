import { MessageLimits } from '@smartlink/common';
import { CommandNameSchema, MAX_MESSAGE_ID_LENGTH } from '@smartlink/contract';
import { z } from 'zod';

// Field rules shared by the topic contracts. Limits follow the cloud contract and the RM table columns.

/** The message id: Kafka key of every record about the message and primary key of GTOTVSLINKMESSAGE. */
export const MessageIdField = z.string().min(1).max(MAX_MESSAGE_ID_LENGTH);
/** Tenant and correlation ids, bounded like their RM table columns. */
export const TenantIdField = z.string().max(MessageLimits.TENANT_ID);
export const CorrelatedIdField = z.string().max(MessageLimits.CORRELATED_ID);
/** A command (message type) name, legal as part of a topic name. */
export const CommandField = CommandNameSchema;
/** Attempt number, 1 for the first execution. */
export const AttemptField = z.number().int().min(1);
/** An instant as ISO-8601 with offset, e.g. `2026-11-28T10:00:00.000Z`. */
export const InstantField = z.iso.datetime({ offset: true });
/** Error text kept with an attempt; long stack traces are cut here, not in the database. */
export const MAX_ERROR_LENGTH = 4_000;
export const ErrorTextField = z
  .string()
  .transform((s) => (s.length > MAX_ERROR_LENGTH ? s.slice(0, MAX_ERROR_LENGTH) : s));
