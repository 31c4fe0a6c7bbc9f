import { SqliteSchemaRules, sqliteAffinity } from './sqlite-schema-rules';
import { rmSchemaRequirements } from './rm-schema-requirements';
import type { CatalogueColumn } from './rm-catalogue';

describe('sqliteAffinity', () => {
  it.each([
    ['INTEGER', 'INTEGER'],
    ['bigint', 'INTEGER'],
    ['varchar(128)', 'TEXT'],
    ['NVARCHAR(256)', 'TEXT'],
    ['text', 'TEXT'],
    ['', 'BLOB'],
    ['blob', 'BLOB'],
    ['double', 'REAL'],
    ['datetime', 'NUMERIC'],
    ['decimal(10,0)', 'NUMERIC'],
  ])('gives %s the %s affinity', (declared, affinity) => {
    expect(sqliteAffinity(declared)).toBe(affinity);
  });
});

describe('SqliteSchemaRules', () => {
  const rules = new SqliteSchemaRules();
  const [message] = rmSchemaRequirements();
  const required = (name: string) => {
    const column = message?.columns.find((c) => c.name === name);
    if (!column) throw new Error(name);
    return column;
  };
  const declared = (dataType: string): CatalogueColumn => ({
    name: 'X',
    dataType,
    length: null,
    precision: null,
    nullable: true,
    defaultValue: null,
    generated: false,
    computed: false,
  });

  it('takes any text type for text, since SQLite enforces no length', () => {
    expect(rules.incompatibility(declared('varchar(10)'), required('ID'))).toBeUndefined();
    expect(rules.incompatibility(declared('clob'), required('DADOS'))).toBeUndefined();
  });

  it('refuses a type whose affinity changes what the client writes', () => {
    expect(rules.incompatibility(declared('integer'), required('DADOS'))).toBe(
      'INTEGER affinity: SQLite would not keep what the client writes as written',
    );
    expect(rules.incompatibility(declared('real'), required('TENTATIVAS'))).toBe(
      'REAL affinity: SQLite would not keep what the client writes as written',
    );
    expect(rules.incompatibility(declared('datetime'), required('DATACRIACAO'))).toBeUndefined();
  });

  it('recreates the table for what SQLite cannot alter', () => {
    const fix = rules.changeType('GTOTVSLINKMESSAGE');
    expect(fix.note).toBe('SQLite cannot alter a column: recreate GTOTVSLINKMESSAGE, moving its rows across');
    expect(fix.statements[0]).toMatch(/^CREATE TABLE "GTOTVSLINKMESSAGE" \(/);
  });

  it('adds a missing column as SQLite allows: NOT NULL only with a default', () => {
    expect(rules.addColumn('GTOTVSLINKMESSAGE', required('COMANDO')).statements).toEqual([
      'ALTER TABLE "GTOTVSLINKMESSAGE" ADD COLUMN "COMANDO" varchar(100) NULL',
    ]);
    expect(rules.addColumn('GTOTVSLINKMESSAGE', required('TENTATIVASBASE')).statements).toEqual([
      'ALTER TABLE "GTOTVSLINKMESSAGE" ADD COLUMN "TENTATIVASBASE" integer NOT NULL DEFAULT 0',
    ]);
  });
});
