import { quoteMssql } from '../sql/mssql-dialect';
import type { CatalogueColumn } from './rm-catalogue';
import type { RmColumnRequirement, RmIndexRequirement } from './rm-schema-requirements';
import {
  PADDED,
  ROUNDS_MILLISECONDS,
  requiredTypeSql,
  typeIncompatibility,
  type RmSchemaFix,
  type RmSchemaRules,
  type RmTypeTable,
} from './rm-schema-rules';
import { rmSchemaScript } from './rm-schema-script';

const LOST =
  'not nvarchar: the characters outside its code page would be lost, and lookups would scan the table';

const MSSQL_TYPES: RmTypeTable = {
  text: ['nvarchar'],
  holders: {
    smallInt: ['smallint', 'int', 'bigint'],
    int: ['int', 'bigint'],
    bigId: ['bigint'],
    timestamp: ['datetime2', 'datetimeoffset'],
  },
  textReasons: {
    varchar: LOST,
    text: LOST,
    char: PADDED,
    nchar: PADDED,
    ntext: 'deprecated: the client writes nvarchar',
  },
  reasons: {
    bigId: { int: 'too narrow: an int identity runs out after 2,147,483,647 rows' },
    timestamp: { datetime: ROUNDS_MILLISECONDS, smalldatetime: ROUNDS_MILLISECONDS },
  },
};

/**
 * SQL Server. Text must be `nvarchar`: the client binds strings as `nvarchar`, so a `varchar` column loses the
 * characters outside its code page and turns lookups into scans (an implicit conversion of the column). Dates need
 * `datetime2(3)` or finer (legacy `datetime` rounds to 1/300 s). Identifiers are written unquoted, as RM's SQL and
 * the migrations write them.
 */
export class MssqlSchemaRules implements RmSchemaRules {
  readonly type = 'mssql' as const;

  /** @param schema the tables' schema (`DB_TABLE_SCHEMA`); unset: the login's default schema. */
  constructor(private readonly schema?: string) {}

  sameName(a: string, b: string): boolean {
    return a.toUpperCase() === b.toUpperCase();
  }

  incompatibility(column: CatalogueColumn, required: RmColumnRequirement): string | undefined {
    return typeIncompatibility(MSSQL_TYPES, column, required);
  }

  describeType(column: CatalogueColumn): string {
    if (column.length !== null) return `${column.dataType}(${column.length})`;
    if (['datetime2', 'datetimeoffset', 'time'].includes(column.dataType) && column.precision !== null) {
      return `${column.dataType}(${column.precision})`;
    }
    return column.dataType;
  }

  addColumn(table: string, required: RmColumnRequirement): RmSchemaFix {
    return { statements: [`ALTER TABLE ${this.table(table)} ADD ${this.definition(table, required)}`] };
  }

  changeType(table: string, required: RmColumnRequirement): RmSchemaFix {
    return {
      note: 'drop the indexes and constraints on the column first, and re-create them after',
      statements: [
        `ALTER TABLE ${this.table(table)} ALTER COLUMN ${name(required.name)} ${requiredTypeSql(this.type, required)} ${nullity(required.nullable)}`,
      ],
    };
  }

  allowNull(table: string, column: CatalogueColumn): RmSchemaFix {
    return {
      statements: [
        `ALTER TABLE ${this.table(table)} ALTER COLUMN ${name(column.name)} ${this.describeType(column)} NULL`,
      ],
    };
  }

  setDefault(table: string, column: string, value: number): RmSchemaFix {
    return {
      note: 'drop its current default constraint first, if it has one',
      statements: [
        `ALTER TABLE ${this.table(table)} ADD CONSTRAINT ${name(`DF_${table}_${column}`)} DEFAULT ${value} FOR ${name(column)}`,
      ],
    };
  }

  makeGenerated(table: string): RmSchemaFix {
    return {
      note: `SQL Server cannot make an existing column IDENTITY: recreate ${table}, moving its rows across`,
      statements: this.createTable(table),
    };
  }

  createIndex(table: string, index: RmIndexRequirement): string {
    const unique = index.unique ? 'UNIQUE ' : '';
    return `CREATE ${unique}INDEX ${name(index.name)} ON ${this.table(table)} (${index.columns.map(name).join(', ')})`;
  }

  createTable(table: string): readonly string[] {
    return rmSchemaScript('mssql', this.schema).find((s) => s.table === table)?.statements ?? [];
  }

  private table(table: string): string {
    return this.schema ? `${quoteMssql(this.schema)}.${table}` : table;
  }

  private definition(table: string, required: RmColumnRequirement): string {
    const column = `${name(required.name)} ${requiredTypeSql(this.type, required)}`;
    if (required.generated) return `${column} IDENTITY(1,1) NOT NULL`;
    const fallback =
      required.default === undefined
        ? ''
        : ` CONSTRAINT ${name(`DF_${table}_${required.name}`)} DEFAULT ${required.default}`;
    return `${column} ${nullity(required.nullable)}${fallback}`;
  }
}

/** A name as SQL Server DDL writes it: plain words unquoted, anything else bracketed. */
function name(identifier: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(identifier) ? identifier : quoteMssql(identifier);
}

function nullity(nullable: boolean): string {
  return nullable ? 'NULL' : 'NOT NULL';
}
