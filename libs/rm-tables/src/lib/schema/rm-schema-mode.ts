/**
 * How the client treats the RM tables (`DB_SCHEMA`): `create` makes or upgrades them (an empty database of the
 * client's own), `verify` only checks that the tables a DBA made fit the client and changes nothing (RM's database).
 */
export const RM_SCHEMA_MODES = ['create', 'verify'] as const;

/** One of {@link RM_SCHEMA_MODES}. */
export type RmSchemaMode = (typeof RM_SCHEMA_MODES)[number];
