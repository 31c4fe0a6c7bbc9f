import type { EntitySchemaColumnOptions, ValueTransformer } from 'typeorm';
import type { RmDatabaseType } from './rm-database-type';

/** The parts of a TypeORM column definition that differ between databases. */
export type RmColumnType = Pick<EntitySchemaColumnOptions, 'type' | 'length' | 'precision' | 'transformer'>;

/** The column types one database uses for the RM tables. */
export interface RmColumnTypes {
  /** Bounded Unicode text (ids, command names); the length is set per column. */
  readonly shortText: RmColumnType;
  /** Unbounded Unicode text (payloads, errors, log text). */
  readonly longText: RmColumnType;
  /** Codes: direction, status, log type. */
  readonly smallInt: RmColumnType;
  /** Counters: attempts. */
  readonly int: RmColumnType;
  /** Identity keys of the history and log tables. */
  readonly bigId: RmColumnType;
  /** An instant, stored in UTC with millisecond precision. */
  readonly timestamp: RmColumnType;
}

/**
 * Column types per database, applied when the DataSource is built.
 *
 * Decorators fix a column's type when the class is loaded, before anyone knows which database it will talk to, and
 * no single TypeORM type is right everywhere: SQL Server needs `nvarchar` (plain `varchar`/`text` lose non-Latin
 * characters) and `datetime2(3)` (TypeORM's default for `Date` is the legacy `datetime`, rounded to 1/300 s),
 * PostgreSQL `timestamptz`, SQLite the `datetime` type whose values TypeORM writes as UTC text. So the entities are
 * plain classes mapped by `EntitySchema`s built from this table for the configured database. The types matter at
 * run time, not only for DDL: TypeORM converts values by them (SQLite date text, `datetime2` parameters on SQL Server).
 */
export const RM_COLUMN_TYPES: Readonly<Record<RmDatabaseType, RmColumnTypes>> = {
  mssql: {
    shortText: { type: 'nvarchar' },
    longText: { type: 'nvarchar', length: 'MAX' },
    smallInt: { type: 'smallint' },
    int: { type: 'int' },
    bigId: { type: 'bigint' },
    timestamp: { type: 'datetime2', precision: 3 },
  },
  postgres: {
    shortText: { type: 'varchar' },
    longText: { type: 'text' },
    smallInt: { type: 'smallint' },
    int: { type: 'integer' },
    bigId: { type: 'bigint' },
    timestamp: { type: 'timestamptz' },
  },
  sqlite: {
    shortText: { type: 'varchar' },
    longText: { type: 'text' },
    smallInt: { type: 'smallint' },
    int: { type: 'integer' },
    // SQLite's AUTOINCREMENT needs exactly `integer PRIMARY KEY`; it is 64-bit all the same.
    bigId: { type: 'integer' },
    timestamp: { type: 'datetime' },
  },
};

/**
 * Identity keys are typed `string` everywhere: pg and tedious return 64-bit integers as strings (a JS number would
 * lose precision past 2^53), better-sqlite3 returns numbers, so this makes SQLite agree.
 */
export const BIG_ID_AS_STRING: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : String(value)),
};

/**
 * Counters and codes are read as numbers whatever the column's width: a DBA's table may hold them in `bigint`, which
 * pg and tedious return as strings.
 */
export const INTEGER_AS_NUMBER: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};
