/**
 * Table names, fixed by RM. Column names are written out where they are used (entity schemas, DDL, dialect SQL)
 * so each piece of SQL reads as what it is; the unit tests pin those strings.
 */
export const RmTableName = {
  Message: 'GTOTVSLINKMESSAGE',
  MessageExec: 'GTOTVSLINKMESSAGEEXEC',
  Log: 'GTOTVSLINKLOG',
  /** TypeORM's migrations table, named in RM's style: the default `migrations` would clash in a shared ERP database. */
  Migrations: 'GTOTVSLINKMIGRATIONS',
} as const;

/** The three RM tables, in the order the migrations make them. */
export const RM_TABLES: readonly string[] = [RmTableName.Message, RmTableName.MessageExec, RmTableName.Log];

/** Constraint and index names, shared by the entity schemas and the migration DDL so the two never drift. */
export const RmConstraintName = {
  MessagePrimaryKey: 'PK_GTOTVSLINKMESSAGE',
  MessageExecPrimaryKey: 'PK_GTOTVSLINKMESSAGEEXEC',
  LogPrimaryKey: 'PK_GTOTVSLINKLOG',
  /** Due retries: `STATUS IN (pending, waiting retry) AND DATATENTATIVAEXEC <= now`. */
  MessageDue: 'IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC',
  /** Dispatched timeouts: `STATUS = dispatched AND DATAATUALIZACAO < cutoff`. */
  MessageDispatched: 'IX_GTOTVSLINKMESSAGE_STATUS_DATAATUALIZACAO',
  /** History by message, and the key that absorbs redelivered outcomes. */
  MessageExecAttempt: 'UQ_GTOTVSLINKMESSAGEEXEC_IDMENSAGEM_TENTATIVA',
  /** Retention purge of attempts. */
  MessageExecFinished: 'IX_GTOTVSLINKMESSAGEEXEC_DATAFIM',
  /** Retention purge of logs. */
  LogDate: 'IX_GTOTVSLINKLOG_LOGDATE',
  /** Logs of one message, the filter RM's documentation promises. */
  LogMessage: 'IX_GTOTVSLINKLOG_IDMENSAGEM',
} as const;
