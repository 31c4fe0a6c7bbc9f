/**
 * Bounds of the message fields, in characters (UTF-16 code units, JavaScript's `length`), in one place: the cloud
 * contract validates envelopes against them, the topic contracts reuse them, and the RM table columns are sized to
 * them, so a message the client accepts always fits its row. Changing one means a migration that widens the column.
 */
export const MessageLimits = {
  /** Message id: `GTOTVSLINKMESSAGE.ID`, `IDMENSAGEM` of the history and log tables, the Kafka key. */
  MESSAGE_ID: 128,
  /** Tenant id as found in envelopes (RAC tenants are 36-character UUIDs): `TENANTID`. */
  TENANT_ID: 128,
  /** Correlation id of the message this one answers: `CORRELATEDID`. */
  CORRELATED_ID: 512,
  /** Command (message type) name, also part of a topic name: `COMANDO`. */
  COMMAND: 100,
  /** Audience (the TOTVS App an upstream message is for): `AUDIENCE`. */
  AUDIENCE: 100,
} as const;
