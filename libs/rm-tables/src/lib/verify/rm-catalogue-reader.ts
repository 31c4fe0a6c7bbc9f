import type { RmSqlStatement } from '../sql/rm-sql-dialect';
import type { CatalogueColumn, CatalogueIndex, CatalogueTable, RmCatalogue } from './rm-catalogue';

/** Raw rows of one catalogue query, keyed by column name, values as the driver returned them. */
export type CatalogueRows = readonly Readonly<Record<string, unknown>>[];

/** How one database's catalogue is read: plain queries, then a pure mapping of their rows. */
export interface RmCatalogueReader {
  /** The catalogue queries; read-only, run in order. */
  readonly statements: readonly RmSqlStatement[];
  /** The catalogue of the RM tables from the rows of each statement, in statement order. */
  catalogue(results: readonly CatalogueRows[]): RmCatalogue;
}

/** The text of a catalogue value, or null. */
export function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A catalogue number (drivers return some as strings), or null. */
export function numberOf(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A catalogue flag: `1`/`true`/`'YES'`. */
export function flagOf(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'YES';
}

/** One catalogue row, keyed by column name. */
export type CatalogueRow = Readonly<Record<string, unknown>>;

/** The names of the fields in the rows: the table (both queries), and the index query's, one row per key column. */
export interface CatalogueRowFields {
  readonly table: string;
  readonly index: string;
  readonly unique: string;
  readonly column: string;
}

/**
 * A reader of two queries over the three tables: the columns, then the key columns of the indexes, both bound to
 * `parameters` (the tables' names). `tableOf` maps the catalogue's table name to the client's (undefined: not an RM
 * table); `columnOf` reads one column row.
 */
export function columnsAndIndexesReader(
  sql: { readonly columns: readonly string[]; readonly indexes: readonly string[] },
  parameters: readonly string[],
  fields: CatalogueRowFields,
  tableOf: (name: unknown) => string | undefined,
  columnOf: (row: CatalogueRow) => CatalogueColumn,
): RmCatalogueReader {
  return {
    statements: [
      { sql: sql.columns.join('\n'), parameters },
      { sql: sql.indexes.join('\n'), parameters },
    ],
    catalogue: ([columnRows = [], indexRows = []]) =>
      catalogueFromRows(columnRows, indexRows, fields, tableOf, columnOf),
  };
}

function catalogueFromRows(
  columnRows: CatalogueRows,
  indexRows: CatalogueRows,
  fields: CatalogueRowFields,
  tableOf: (name: unknown) => string | undefined,
  columnOf: (row: CatalogueRow) => CatalogueColumn,
): RmCatalogue {
  const indexesByTable = groupRows(indexRows, (row) => tableOf(row[fields.table]));
  const catalogue = new Map<string, CatalogueTable>();
  for (const [table, rows] of groupRows(columnRows, (row) => tableOf(row[fields.table]))) {
    if (table === undefined) continue;
    catalogue.set(table, {
      name: table,
      columns: rows.map(columnOf),
      indexes: indexesFromRows(indexesByTable.get(table) ?? [], fields),
    });
  }
  return catalogue;
}

/** The indexes of one table from its index rows. */
export function indexesFromRows(
  rows: CatalogueRows,
  fields: Omit<CatalogueRowFields, 'table'>,
): CatalogueIndex[] {
  return [...groupRows(rows, (row) => row[fields.index])].map(([name, keyRows]) => ({
    name: String(name),
    columns: keyRows.map((row) => textOf(row[fields.column])),
    unique: flagOf(keyRows[0]?.[fields.unique]),
  }));
}

/** Groups rows by a key, keeping first-seen order of the keys and row order within each group. */
function groupRows<T>(rows: CatalogueRows, key: (row: CatalogueRow) => T) {
  const groups = new Map<T, CatalogueRow[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
