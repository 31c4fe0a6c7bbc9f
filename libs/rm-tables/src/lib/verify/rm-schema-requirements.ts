import type { EntitySchemaColumnOptions, EntitySchemaIndexOptions } from 'typeorm';
import { RM_COLUMN_TYPES, type RmColumnTypes } from '../schema/rm-column-types';
import { rmEntitySchemas } from '../schema/rm-entity-schemas';
import { RmTableName } from '../schema/rm-table-names';
import { ATTEMPT_COLUMNS, LOG_COLUMNS, MESSAGE_COLUMNS } from '../sql/rm-rows';

/** The kind of a column, as `RM_COLUMN_TYPES` names it: the same kind maps to each database's own type. */
export type RmColumnKind = keyof RmColumnTypes;

/** What the client needs of one column. */
export interface RmColumnRequirement {
  readonly name: string;
  readonly kind: RmColumnKind;
  /** Characters the client writes at most (`shortText` only). */
  readonly length?: number;
  /** The client writes NULL into it, so the column must accept NULL. */
  readonly nullable: boolean;
  /** The database supplies the value (identity): the client inserts rows without it. */
  readonly generated: boolean;
  /** A column the client's INSERTs leave out (and that is not generated) needs this default. */
  readonly default?: number;
  /** The client's INSERTs name the column. */
  readonly inserted: boolean;
}

/** An index the client relies on: for correctness (`fatal`, a unique key absorbing duplicates) or for speed. */
export interface RmIndexRequirement {
  /** The name the migrations give it; any index with the right columns serves. */
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly fatal: boolean;
}

/** What the client needs of one table. */
export interface RmTableRequirement {
  readonly name: string;
  readonly columns: readonly RmColumnRequirement[];
  readonly indexes: readonly RmIndexRequirement[];
}

const INSERTED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  [RmTableName.Message]: MESSAGE_COLUMNS,
  [RmTableName.MessageExec]: ATTEMPT_COLUMNS,
  [RmTableName.Log]: LOG_COLUMNS,
};

/**
 * The three tables as the client uses them, derived from the entity schemas (every column it reads or writes) and
 * the INSERT column lists (what it leaves to the database). A primary key the client supplies absorbs duplicates and
 * is fatal when missing; a generated one is unique by generation, so its index only speeds the purge.
 */
export function rmSchemaRequirements(): readonly RmTableRequirement[] {
  return rmEntitySchemas('mssql').map(({ options }) => {
    const table = options.tableName as string;
    const inserted = INSERTED_COLUMNS[table] ?? [];
    const columns = Object.values(options.columns as Record<string, EntitySchemaColumnOptions>);
    const columnName = (property: string) =>
      (options.columns as Record<string, EntitySchemaColumnOptions>)[property]?.name as string;
    const primary = columns.filter((c) => c.primary);
    const keys: RmIndexRequirement[] = primary.map((c) => ({
      name: `UQ_${table}_${c.name as string}`,
      columns: [c.name as string],
      unique: true,
      fatal: !c.generated,
    }));
    const indexes = (options.indices ?? []).map((index: EntitySchemaIndexOptions) => ({
      name: index.name as string,
      columns: (index.columns as string[]).map(columnName),
      unique: index.unique === true,
      fatal: index.unique === true,
    }));
    return {
      name: table,
      columns: columns.map((c) => columnRequirement(c, inserted)),
      indexes: [...keys, ...indexes],
    };
  });
}

function columnRequirement(
  column: EntitySchemaColumnOptions,
  inserted: readonly string[],
): RmColumnRequirement {
  const name = column.name as string;
  const generated = column.generated !== undefined;
  const kind = kindOf(column, generated);
  const isInserted = inserted.includes(name);
  return {
    name,
    kind,
    ...(kind === 'shortText' ? { length: Number(column.length) } : {}),
    nullable: column.nullable === true,
    generated,
    ...(!isInserted && !generated && typeof column.default === 'number' ? { default: column.default } : {}),
    inserted: isInserted,
  };
}

/** Reads the kind back from the SQL Server types, where every kind has a type of its own. */
function kindOf(column: EntitySchemaColumnOptions, generated: boolean): RmColumnKind {
  const types = RM_COLUMN_TYPES.mssql;
  if (generated) return 'bigId';
  if (column.type === types.shortText.type) {
    return column.length === types.longText.length ? 'longText' : 'shortText';
  }
  const kind = (['smallInt', 'int', 'timestamp'] as const).find((k) => types[k].type === column.type);
  if (!kind) throw new Error(`${column.name as string}: no column kind has the type ${String(column.type)}`);
  return kind;
}
