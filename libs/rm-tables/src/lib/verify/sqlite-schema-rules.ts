import { quote } from '../sql/quoted-identifier-dialect';
import type { CatalogueColumn } from './rm-catalogue';
import type { RmColumnKind, RmColumnRequirement, RmIndexRequirement } from './rm-schema-requirements';
import { requiredTypeSql, type RmSchemaFix, type RmSchemaRules } from './rm-schema-rules';
import { rmSchemaScript } from './rm-schema-script';

/** SQLite's type affinity of a declared type (https://www.sqlite.org/datatype3.html, section 3.1). */
export type SqliteAffinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** The affinities whose columns keep what the client writes: text stays text, integers integers. */
const HOLDERS: Readonly<Record<RmColumnKind, readonly SqliteAffinity[]>> = {
  shortText: ['TEXT'],
  longText: ['TEXT'],
  smallInt: ['INTEGER', 'NUMERIC'],
  int: ['INTEGER', 'NUMERIC'],
  bigId: ['INTEGER'],
  // TypeORM writes dates as text; a NUMERIC column (`datetime`) keeps text that is not a number as it is.
  timestamp: ['TEXT', 'NUMERIC'],
};

/**
 * SQLite: a column holds what the client writes when its type affinity keeps the value as written (SQLite does not
 * enforce declared lengths, so none are checked). SQLite cannot alter a column: those fixes recreate the table.
 */
export class SqliteSchemaRules implements RmSchemaRules {
  readonly type = 'sqlite' as const;

  sameName(a: string, b: string): boolean {
    return a.toUpperCase() === b.toUpperCase();
  }

  incompatibility(column: CatalogueColumn, required: RmColumnRequirement): string | undefined {
    const affinity = sqliteAffinity(column.dataType);
    return HOLDERS[required.kind].includes(affinity)
      ? undefined
      : `${affinity} affinity: SQLite would not keep what the client writes as written`;
  }

  describeType(column: CatalogueColumn): string {
    return column.dataType === '' ? '(no type)' : column.dataType;
  }

  addColumn(table: string, required: RmColumnRequirement): RmSchemaFix {
    if (required.generated) return this.recreate(table);
    // SQLite adds no NOT NULL column without a default; the client never writes NULL into it, so NULL is harmless.
    const definition = required.default === undefined ? 'NULL' : `NOT NULL DEFAULT ${required.default}`;
    return {
      statements: [
        `ALTER TABLE ${quote(table)} ADD COLUMN ${quote(required.name)} ${requiredTypeSql(this.type, required)} ${definition}`,
      ],
    };
  }

  changeType(table: string): RmSchemaFix {
    return this.recreate(table);
  }

  allowNull(table: string): RmSchemaFix {
    return this.recreate(table);
  }

  setDefault(table: string): RmSchemaFix {
    return this.recreate(table);
  }

  makeGenerated(table: string): RmSchemaFix {
    return this.recreate(table);
  }

  createIndex(table: string, index: RmIndexRequirement): string {
    const unique = index.unique ? 'UNIQUE ' : '';
    return `CREATE ${unique}INDEX ${quote(index.name)} ON ${quote(table)} (${index.columns.map(quote).join(', ')})`;
  }

  createTable(table: string): readonly string[] {
    return rmSchemaScript('sqlite').find((s) => s.table === table)?.statements ?? [];
  }

  private recreate(table: string): RmSchemaFix {
    return {
      note: `SQLite cannot alter a column: recreate ${table}, moving its rows across`,
      statements: this.createTable(table),
    };
  }
}

/** The affinity SQLite gives a declared type, by its rules in order. */
export function sqliteAffinity(declared: string): SqliteAffinity {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'INTEGER';
  if (['CHAR', 'CLOB', 'TEXT'].some((t) => type.includes(t))) return 'TEXT';
  if (type === '' || type.includes('BLOB')) return 'BLOB';
  if (['REAL', 'FLOA', 'DOUB'].some((t) => type.includes(t))) return 'REAL';
  return 'NUMERIC';
}
