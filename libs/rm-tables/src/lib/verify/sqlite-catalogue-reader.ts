import { RM_TABLES } from '../schema/rm-table-names';
import type { CatalogueColumn, CatalogueIndex, CatalogueTable } from './rm-catalogue';
import {
  flagOf,
  indexesFromRows,
  numberOf,
  textOf,
  type CatalogueRows,
  type RmCatalogueReader,
} from './rm-catalogue-reader';

/** `pragma_table_xinfo.hidden`: 2 and 3 are generated (virtual, stored) columns. */
const GENERATED_HIDDEN = [2, 3];

/**
 * SQLite's catalogue, through the table-valued pragmas: `pragma_table_xinfo` per table for the columns,
 * `pragma_index_list` joined with `pragma_index_info` for the indexes. An `INTEGER PRIMARY KEY` (no `pk` index: it is
 * the rowid) generates its own values and is unique; it is listed as a key named `PRIMARY KEY`.
 */
export function sqliteCatalogueReader(): RmCatalogueReader {
  const columns =
    'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid';
  const indexes = [
    'SELECT il.name AS index_name, il."unique" AS is_unique, il.origin, ii.name AS column_name',
    'FROM pragma_index_list(?) AS il JOIN pragma_index_info(il.name) AS ii',
    'WHERE il.partial = 0',
    'ORDER BY il.name, ii.seqno',
  ];
  return {
    statements: RM_TABLES.flatMap((table) => [
      { sql: columns, parameters: [table] },
      { sql: indexes.join('\n'), parameters: [table] },
    ]),
    catalogue: (results) => {
      const catalogue = new Map<string, CatalogueTable>();
      RM_TABLES.forEach((table, i) => {
        const columnRows = results[2 * i] ?? [];
        if (columnRows.length > 0)
          catalogue.set(table, sqliteTable(table, columnRows, results[2 * i + 1] ?? []));
      });
      return catalogue;
    },
  };
}

function sqliteTable(table: string, columnRows: CatalogueRows, indexRows: CatalogueRows): CatalogueTable {
  const indexes = indexesFromRows(indexRows, {
    index: 'index_name',
    unique: 'is_unique',
    column: 'column_name',
  });
  const keyColumns = columnRows.filter((row) => (numberOf(row['pk']) ?? 0) > 0);
  // The rowid alias: the only key column, declared exactly INTEGER, in a table whose key is no index of its own.
  const rowid =
    keyColumns.length === 1 &&
    String(keyColumns[0]?.['type']).trim().toUpperCase() === 'INTEGER' &&
    !indexRows.some((row) => row['origin'] === 'pk')
      ? String(keyColumns[0]?.['name'])
      : undefined;
  const rowidKey: CatalogueIndex[] = rowid ? [{ name: 'PRIMARY KEY', columns: [rowid], unique: true }] : [];
  return {
    name: table,
    columns: columnRows.map((row): CatalogueColumn => {
      const name = String(row['name']);
      return {
        name,
        dataType: String(row['type']),
        length: null,
        precision: null,
        // The rowid alias takes a value even when NULL is inserted, whatever the declaration says.
        nullable: !flagOf(row['notnull']) && name !== rowid,
        defaultValue: textOf(row['dflt_value']),
        generated: name === rowid,
        computed: GENERATED_HIDDEN.includes(numberOf(row['hidden']) ?? 0),
      };
    }),
    indexes: [...rowidKey, ...indexes],
  };
}
