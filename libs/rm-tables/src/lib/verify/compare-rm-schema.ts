import type { CatalogueColumn, CatalogueIndex, CatalogueTable, RmCatalogue } from './rm-catalogue';
import {
  rmSchemaRequirements,
  type RmColumnRequirement,
  type RmIndexRequirement,
  type RmTableRequirement,
} from './rm-schema-requirements';
import {
  bareDefault,
  defaultIs,
  requiredTypeSql,
  type RmSchemaFix,
  type RmSchemaRules,
} from './rm-schema-rules';

/** One way the tables differ from what the client needs, and how to fix it. */
export interface RmSchemaFinding {
  readonly table: string;
  /** The column, when the finding is about one. */
  readonly column?: string;
  /** What is wrong and why it matters, in words. */
  readonly problem: string;
  readonly fix: RmSchemaFix;
}

/** What a verify found: mismatches stop the start, warnings (missing performance indexes) are logged. */
export interface RmSchemaReport {
  readonly mismatches: readonly RmSchemaFinding[];
  readonly warnings: readonly RmSchemaFinding[];
}

/**
 * Compares the catalogue with what the client needs. Mismatches: a missing table or column; a type that cannot hold
 * what the client writes (narrower, or another kind); NOT NULL where the client writes NULL; an ID the database does
 * not generate; a column the client leaves out without its default; an extra NOT NULL column without a default (every
 * INSERT would fail); a missing unique key that absorbs duplicates. Tolerated: extra columns that are nullable,
 * defaulted or computed; wider types; NULL allowed where the client always writes a value; indexes of any name.
 */
export function compareRmSchema(
  catalogue: RmCatalogue,
  rules: RmSchemaRules,
  requirements: readonly RmTableRequirement[] = rmSchemaRequirements(),
): RmSchemaReport {
  const mismatches: RmSchemaFinding[] = [];
  const warnings: RmSchemaFinding[] = [];
  for (const required of requirements) {
    const table = catalogue.get(required.name);
    if (!table) {
      mismatches.push({
        table: required.name,
        problem: 'missing',
        fix: { statements: rules.createTable(required.name) },
      });
      continue;
    }
    const find = (name: string) => table.columns.find((c) => rules.sameName(c.name, name));
    for (const column of required.columns) {
      mismatches.push(...columnFindings(rules, required.name, column, find(column.name)));
    }
    for (const column of table.columns) {
      if (required.columns.some((c) => rules.sameName(c.name, column.name))) continue;
      if (column.nullable || column.defaultValue !== null || column.generated || column.computed) continue;
      mismatches.push({
        table: required.name,
        column: column.name,
        problem:
          "NOT NULL without a default, and the client's INSERTs do not set it: every insert would fail " +
          '(allow NULL, or give it a DEFAULT)',
        fix: rules.allowNull(required.name, column),
      });
    }
    for (const index of required.indexes) {
      if (!index.columns.every((name) => find(name))) continue;
      if (table.indexes.some((found) => serves(rules, found, index))) continue;
      const finding = indexFinding(rules, table, index);
      (index.fatal ? mismatches : warnings).push(finding);
    }
  }
  return { mismatches, warnings };
}

function columnFindings(
  rules: RmSchemaRules,
  table: string,
  required: RmColumnRequirement,
  found: CatalogueColumn | undefined,
): RmSchemaFinding[] {
  const at = { table, column: required.name };
  if (!found) return [{ ...at, problem: 'missing', fix: rules.addColumn(table, required) }];
  const findings: RmSchemaFinding[] = [];
  const incompatibility = rules.incompatibility(found, required);
  if (incompatibility) {
    findings.push({
      ...at,
      problem: `${rules.describeType(found)} where the client needs ${requiredTypeSql(rules.type, required)} or wider: ${incompatibility}`,
      fix: rules.changeType(table, required),
    });
  }
  if (required.nullable && !found.nullable) {
    findings.push({
      ...at,
      problem: 'NOT NULL, but the client writes NULL into it',
      fix: rules.allowNull(table, found),
    });
  }
  if (required.inserted && found.computed) {
    findings.push({
      ...at,
      problem: 'computed by the database, but the client writes it',
      fix: rules.changeType(table, required),
    });
  }
  if (required.generated && !found.generated) {
    findings.push({
      ...at,
      problem: 'generates no values (IDENTITY), but the client inserts rows without it',
      fix: rules.makeGenerated(table, required),
    });
  }
  if (required.default !== undefined && !defaultIs(found, required.default)) {
    const current = found.defaultValue === null ? 'no default' : `DEFAULT ${bareDefault(found.defaultValue)}`;
    findings.push({
      ...at,
      problem: `${current}, but the client's INSERTs leave it out and rely on DEFAULT ${required.default}`,
      fix: rules.setDefault(table, found.name, required.default),
    });
  }
  return findings;
}

/** A unique key serves when it has exactly the columns, in any order; an index, when it starts with them, in order. */
function serves(rules: RmSchemaRules, found: CatalogueIndex, required: RmIndexRequirement): boolean {
  const same = (a: string | null, b: string) => a !== null && rules.sameName(a, b);
  if (required.unique) {
    return (
      found.unique &&
      found.columns.length === required.columns.length &&
      required.columns.every((name) => found.columns.some((c) => same(c, name)))
    );
  }
  return required.columns.every((name, i) => same(found.columns[i] ?? null, name));
}

function indexFinding(
  rules: RmSchemaRules,
  table: CatalogueTable,
  index: RmIndexRequirement,
): RmSchemaFinding {
  const columns = `(${index.columns.join(', ')})`;
  const problem = index.unique
    ? index.fatal
      ? `no unique index on ${columns}: the client relies on it to absorb duplicates`
      : `no unique index on ${columns}: the purge deletes by it and would scan the table`
    : `no index on ${columns}: the client's queries on it would scan the table`;
  return { table: table.name, problem, fix: { statements: [rules.createIndex(table.name, index)] } };
}
