import { RM_TABLES } from '../schema/rm-table-names';
import { quote } from '../sql/quoted-identifier-dialect';
import type { CatalogueColumn } from './rm-catalogue';
import {
  columnsAndIndexesReader,
  flagOf,
  numberOf,
  textOf,
  type CatalogueRow,
  type RmCatalogueReader,
} from './rm-catalogue-reader';

const TEXT_TYPES = ['character varying', 'character', 'text'];

/**
 * PostgreSQL's catalogue. `to_regclass` resolves each quoted table name through the `search_path`, as the client's
 * statements do; columns come from `information_schema.columns`, indexes from `pg_index` without partial and invalid
 * ones (key columns only, an expression as a null column).
 */
export function postgresCatalogueReader(schema?: string): RmCatalogueReader {
  const names = RM_TABLES.map((table) => (schema ? `${quote(schema)}.${quote(table)}` : quote(table)));
  const columns = [
    'SELECT c.relname AS table_name, col.column_name, col.data_type, col.character_maximum_length,',
    '  col.datetime_precision, col.is_nullable, col.column_default, col.is_identity, col.is_generated',
    'FROM pg_catalog.pg_class AS c',
    'JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace',
    'JOIN information_schema.columns AS col ON col.table_schema = n.nspname AND col.table_name = c.relname',
    'WHERE c.oid IN (to_regclass($1), to_regclass($2), to_regclass($3))',
    'ORDER BY c.relname, col.ordinal_position',
  ];
  const indexes = [
    'SELECT c.relname AS table_name, i.relname AS index_name, x.indisunique AS is_unique, a.attname AS column_name',
    'FROM pg_catalog.pg_index AS x',
    'JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid',
    'JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid',
    'CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)',
    'LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0',
    'WHERE x.indrelid IN (to_regclass($1), to_regclass($2), to_regclass($3))',
    '  AND x.indisvalid AND x.indpred IS NULL AND k.ord <= x.indnkeyatts',
    'ORDER BY c.relname, i.relname, k.ord',
  ];
  const fields = { table: 'table_name', index: 'index_name', unique: 'is_unique', column: 'column_name' };
  // to_regclass found the tables by their quoted names: the catalogue spells them as the client does.
  return columnsAndIndexesReader({ columns, indexes }, names, fields, String, postgresColumn);
}

function postgresColumn(row: CatalogueRow): CatalogueColumn {
  const dataType = String(row['data_type']);
  const defaultValue = textOf(row['column_default']);
  return {
    name: String(row['column_name']),
    dataType,
    length: TEXT_TYPES.includes(dataType) ? (numberOf(row['character_maximum_length']) ?? 'max') : null,
    precision: numberOf(row['datetime_precision']),
    nullable: flagOf(row['is_nullable']),
    defaultValue,
    // serial columns draw from a sequence as identity columns do.
    generated: flagOf(row['is_identity']) || /^nextval\(/i.test(defaultValue ?? ''),
    computed: row['is_generated'] === 'ALWAYS',
  };
}
