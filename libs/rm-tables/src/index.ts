// Settings and wiring
export {
  parseDatabaseSettings,
  describeDatabaseSettings,
  databaseSettingsSchema,
  type DatabaseSettings,
  type BaseDatabaseSettings,
  type SqliteDatabaseSettings,
  type ServerDatabaseSettings,
  type PostgresDatabaseSettings,
  type MssqlDatabaseSettings,
} from './lib/settings/database-settings';
export { RM_TABLES_DEFAULTS } from './lib/rm-tables.defaults';
export { RmTablesModule } from './lib/rm-tables.module';
export { RmTablesHealthIndicator, type RmTablesHealthOptions } from './lib/rm-tables.health';
export { openRmTables, type RmTables } from './lib/open-rm-tables';
export type { OpenRmDataSourceOptions } from './lib/data-source/open-rm-data-source';
export { RM_SCHEMA_MODES, type RmSchemaMode } from './lib/schema/rm-schema-mode';
export { RmSchemaMismatchError } from './lib/verify/rm-schema-mismatch.error';
export type { RmSchemaFinding } from './lib/verify/compare-rm-schema';
export type { RmSchemaFix } from './lib/verify/rm-schema-rules';
export { rmSchemaScript, type RmTableScript } from './lib/verify/rm-schema-script';
export { RmTablesError, isRetriableDatabaseError } from './lib/rm-tables.error';
export { RM_DATABASE_TYPES, type RmDatabaseType } from './lib/schema/rm-database-type';
export { RmTableName } from './lib/schema/rm-table-names';

// Row values
export { MessageDirection } from './lib/entities/message-direction';
export { MessageStatus } from './lib/entities/message-status';
export { AttemptStatus } from './lib/entities/attempt-status';
export { LogType } from './lib/entities/log-type';
export { MessageEntity, type NewMessage } from './lib/entities/message.entity';
export {
  DATA_OF_MESSAGE,
  MessageExecEntity,
  type NewAttempt,
  type InsertedAttempt,
} from './lib/entities/message-exec.entity';
export { LogEntity, type NewLog } from './lib/entities/log.entity';

// Riding out a database outage in a consumer
export {
  DatabaseOutageHold,
  DATABASE_OUTAGE_HOLD_TIMING,
  type DatabaseOutageHoldDeps,
  type DatabaseOutageHoldTiming,
} from './lib/outage/database-outage-hold';

// Stores and their inputs
export {
  MessageStore,
  type DispatchedAttempt,
  type MessageCount,
  type MessageOrigin,
} from './lib/stores/message.store';
export { MessageExecStore, type AttemptLog, type FailedAttemptCount } from './lib/stores/message-exec.store';
export { LogStore } from './lib/stores/log.store';
export type {
  ClaimDueInput,
  ClaimTimedOutInput,
  ClaimOverdueStartedInput,
  MarkStartedInput,
  ClaimUnplannedInput,
  FailedAttemptUpdate,
  PurgeInput,
  RedriveDeadInput,
  RedriveFilter,
  ReleaseClaimsInput,
  SettledFailure,
} from './lib/sql/rm-sql-dialect';

// Tests and benchmarks
export {
  createScratchPostgresDatabase,
  DEFAULT_ADMIN_POSTGRES_URL,
  type ScratchPostgresDatabase,
} from './lib/testing/scratch-postgres-database';
export { scratchSqlitePath } from './lib/testing/scratch-sqlite-path';
export {
  scratchDatabases,
  type ScratchDatabase,
  type ScratchDatabaseKind,
} from './lib/testing/scratch-databases';
export { holdSqliteWriteLock, type SqliteWriteLock } from './lib/testing/sqlite-write-lock';
