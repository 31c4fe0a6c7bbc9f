/** One column as the database catalogue describes it, in the same terms on all three databases. */
export interface CatalogueColumn {
  readonly name: string;
  /**
   * The type as the catalogue names it: SQL Server `INFORMATION_SCHEMA.COLUMNS.DATA_TYPE` (`nvarchar`), PostgreSQL
   * `information_schema.columns.data_type` (`character varying`), SQLite's declared type (`varchar(128)`).
   */
  readonly dataType: string;
  /** Characters a text column holds: a number, `max` when unbounded, null for other types (and SQLite). */
  readonly length: number | 'max' | null;
  /** Fractional-second digits of a date column; null for other types. */
  readonly precision: number | null;
  readonly nullable: boolean;
  /** The default expression as the catalogue shows it (`((0))`, `0`, `nextval(...)`), or null. */
  readonly defaultValue: string | null;
  /** The database generates the value on insert: IDENTITY, GENERATED ... AS IDENTITY, a sequence, SQLite's rowid. */
  readonly generated: boolean;
  /** The database computes the value (computed column, rowversion): an INSERT never names it. */
  readonly computed: boolean;
}

/** One usable index (or key constraint): partial, filtered, disabled or invalid ones are left out. */
export interface CatalogueIndex {
  readonly name: string;
  /** Key columns in key order; an expression is written as null. */
  readonly columns: readonly (string | null)[];
  readonly unique: boolean;
}

/** One table of the catalogue. */
export interface CatalogueTable {
  readonly name: string;
  readonly columns: readonly CatalogueColumn[];
  readonly indexes: readonly CatalogueIndex[];
}

/** The RM tables found in the database, by the name the client uses; a table not found is absent. */
export type RmCatalogue = ReadonlyMap<string, CatalogueTable>;
