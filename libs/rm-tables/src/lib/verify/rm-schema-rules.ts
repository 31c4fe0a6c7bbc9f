import { RM_COLUMN_TYPES } from '../schema/rm-column-types';
import type { RmDatabaseType } from '../schema/rm-database-type';
import type { CatalogueColumn } from './rm-catalogue';
import type { RmColumnKind, RmColumnRequirement, RmIndexRequirement } from './rm-schema-requirements';

/** How to fix one finding: statements a DBA runs, or words where no statement can do it. */
export interface RmSchemaFix {
  readonly statements: readonly string[];
  /** Said before the statements, e.g. why the table must be recreated. */
  readonly note?: string;
}

/**
 * One database's rules for verifying the RM tables: which catalogue types hold what the client writes, and the DDL
 * that fixes each mismatch. Pure; the SQL Server rules are pinned by unit tests.
 */
export interface RmSchemaRules {
  readonly type: RmDatabaseType;
  /** Whether two column names are the same to this database (SQL Server and SQLite ignore case). */
  sameName(a: string, b: string): boolean;
  /** Why `column` cannot hold what the client writes into `required`; undefined when it can. */
  incompatibility(column: CatalogueColumn, required: RmColumnRequirement): string | undefined;
  /** The catalogue's type as DDL writes it: `nvarchar(128)`, `datetime2(3)`, `character varying(64)`. */
  describeType(column: CatalogueColumn): string;
  addColumn(table: string, required: RmColumnRequirement): RmSchemaFix;
  changeType(table: string, required: RmColumnRequirement): RmSchemaFix;
  allowNull(table: string, column: CatalogueColumn): RmSchemaFix;
  setDefault(table: string, column: string, value: number): RmSchemaFix;
  makeGenerated(table: string, required: RmColumnRequirement): RmSchemaFix;
  createIndex(table: string, index: RmIndexRequirement): string;
  /** The statements that make `table` as the migrations do, with its indexes. */
  createTable(table: string): readonly string[];
}

/** A default expression without the parentheses, quotes and casts catalogues wrap it in: `((0))`, `'0'::integer`. */
export function bareDefault(expression: string): string {
  let bare = expression.trim().replace(/::[\w ]+$/, '');
  while (bare.startsWith('(') && bare.endsWith(')')) bare = bare.slice(1, -1).trim();
  return bare.replace(/^'(.*)'$/, '$1');
}

/** Whether the column's default expression is the number `value`. */
export function defaultIs(column: CatalogueColumn, value: number): boolean {
  return column.defaultValue !== null && bareDefault(column.defaultValue) === String(value);
}

/** Whether `length` characters hold `needed` (`max`: unbounded). */
export function holds(length: number | 'max' | null, needed: number | 'max'): boolean {
  if (length === 'max') return true;
  if (length === null || needed === 'max') return false;
  return length >= needed;
}

/** The type the migrations give `required` on `type`, as DDL writes it (`nvarchar(128)`, `datetime2(3)`, `text`). */
export function requiredTypeSql(type: RmDatabaseType, required: RmColumnRequirement): string {
  const column = RM_COLUMN_TYPES[type][required.kind];
  const length = column.length ?? required.length;
  if (length !== undefined) return `${String(column.type)}(${String(length).toLowerCase()})`;
  if (column.precision !== undefined) return `${String(column.type)}(${column.precision})`;
  return String(column.type);
}

/** Which catalogue types hold each kind of column on one database, and why some others do not. */
export interface RmTypeTable {
  /** The text types that hold text up to their length. */
  readonly text: readonly string[];
  /** Per other kind, the types that hold it, wider ones included. */
  readonly holders: Readonly<Record<Exclude<RmColumnKind, 'shortText' | 'longText'>, readonly string[]>>;
  /** Why a type does not hold text, where that says more than "not text". */
  readonly textReasons?: Readonly<Record<string, string>>;
  /** Why a type does not hold a kind, where that says more than "not the same kind". */
  readonly reasons?: Readonly<Partial<Record<RmColumnKind, Readonly<Record<string, string>>>>>;
}

/** The client finds a claim again by the exact time it wrote: dates need milliseconds. */
const TIME_PRECISION = 3;
export const PADDED = 'fixed width: values would come back padded with spaces';
export const ROUNDS_MILLISECONDS = 'rounds the milliseconds the client compares';

/** Why `column` cannot hold what the client writes into `required`, by a database's type table; undefined if it can. */
export function typeIncompatibility(
  types: RmTypeTable,
  column: CatalogueColumn,
  required: RmColumnRequirement,
): string | undefined {
  const type = column.dataType;
  if (required.kind === 'shortText' || required.kind === 'longText') {
    if (!types.text.includes(type)) return types.textReasons?.[type] ?? 'not text';
    return holds(column.length, required.length ?? 'max')
      ? undefined
      : 'too narrow for what the client writes';
  }
  if (!types.holders[required.kind].includes(type)) {
    return types.reasons?.[required.kind]?.[type] ?? 'too narrow or not the same kind of value';
  }
  if (required.kind === 'timestamp' && (column.precision ?? 0) < TIME_PRECISION) return ROUNDS_MILLISECONDS;
  return undefined;
}
