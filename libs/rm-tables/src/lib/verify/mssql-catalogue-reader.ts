import { RM_TABLES } from '../schema/rm-table-names';
import { quoteMssql } from '../sql/mssql-dialect';
import type { CatalogueColumn } from './rm-catalogue';
import {
  columnsAndIndexesReader,
  flagOf,
  numberOf,
  textOf,
  type CatalogueRow,
  type RmCatalogueReader,
} from './rm-catalogue-reader';

/**
 * SQL Server's catalogue. `OBJECT_ID` resolves each table the way the client's unqualified (or schema-qualified)
 * statements do; columns come from `INFORMATION_SCHEMA.COLUMNS` (lengths in characters, -1 for max), identity and
 * computed flags from `COLUMNPROPERTY`, indexes from `sys.indexes` without disabled, hypothetical and filtered ones.
 * Pinned by unit tests; never run against a real SQL Server.
 */
export function mssqlCatalogueReader(schema?: string): RmCatalogueReader {
  const names = RM_TABLES.map((table) => (schema ? `${quoteMssql(schema)}.${table}` : table));
  const tables = 'WHERE t.object_id IN (OBJECT_ID(@0), OBJECT_ID(@1), OBJECT_ID(@2))';
  const columns = [
    'SELECT t.name AS TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, c.DATETIME_PRECISION,',
    '  c.IS_NULLABLE, c.COLUMN_DEFAULT,',
    "  COLUMNPROPERTY(t.object_id, c.COLUMN_NAME, 'IsIdentity') AS IS_IDENTITY,",
    "  COLUMNPROPERTY(t.object_id, c.COLUMN_NAME, 'IsComputed') AS IS_COMPUTED",
    'FROM sys.tables AS t',
    'JOIN INFORMATION_SCHEMA.COLUMNS AS c ON c.TABLE_SCHEMA = SCHEMA_NAME(t.schema_id) AND c.TABLE_NAME = t.name',
    tables,
    'ORDER BY t.name, c.ORDINAL_POSITION',
  ];
  const indexes = [
    'SELECT t.name AS TABLE_NAME, i.name AS INDEX_NAME, i.is_unique AS IS_UNIQUE, c.name AS COLUMN_NAME',
    'FROM sys.tables AS t',
    'JOIN sys.indexes AS i ON i.object_id = t.object_id',
    'JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id',
    'JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id',
    tables,
    '  AND i.is_disabled = 0 AND i.is_hypothetical = 0 AND i.has_filter = 0 AND ic.key_ordinal > 0',
    'ORDER BY t.name, i.name, ic.key_ordinal',
  ];
  const fields = { table: 'TABLE_NAME', index: 'INDEX_NAME', unique: 'IS_UNIQUE', column: 'COLUMN_NAME' };
  // SQL Server names are case-insensitive under RM's collations: key the tables by the client's spelling.
  const ours = (name: unknown) => RM_TABLES.find((t) => t === String(name).toUpperCase());
  return columnsAndIndexesReader({ columns, indexes }, names, fields, ours, mssqlColumn);
}

function mssqlColumn(row: CatalogueRow): CatalogueColumn {
  const dataType = String(row['DATA_TYPE']).toLowerCase();
  const length = numberOf(row['CHARACTER_MAXIMUM_LENGTH']);
  const defaultValue = textOf(row['COLUMN_DEFAULT']);
  return {
    name: String(row['COLUMN_NAME']),
    dataType,
    length: length === -1 ? 'max' : length,
    precision: numberOf(row['DATETIME_PRECISION']),
    nullable: flagOf(row['IS_NULLABLE']),
    defaultValue,
    // A sequence default generates values as IDENTITY does.
    generated: flagOf(row['IS_IDENTITY']) || /NEXT\s+VALUE\s+FOR/i.test(defaultValue ?? ''),
    // rowversion (`timestamp` in INFORMATION_SCHEMA) is set by the server on every write.
    computed: flagOf(row['IS_COMPUTED']) || dataType === 'timestamp' || dataType === 'rowversion',
  };
}
