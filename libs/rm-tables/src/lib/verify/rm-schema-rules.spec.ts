import { addRedriveBaseDdl } from '../migrations/add-redrive-base.ddl';
import { createRmTablesDdl } from '../migrations/create-rm-tables.ddl';
import { rmSchemaRequirements } from './rm-schema-requirements';
import { bareDefault, holds, requiredTypeSql } from './rm-schema-rules';
import { rmSchemaScript } from './rm-schema-script';
import { schemaRules } from './verify-rm-schema';

describe.each(['mssql', 'postgres', 'sqlite'] as const)('the %s rules', (type) => {
  const schema = type === 'sqlite' ? undefined : 'rm';
  const rules = schemaRules(type, schema);
  const ddl = [...createRmTablesDdl(type, schema).up, ...addRedriveBaseDdl(type, schema).up].join('\n');

  it('name each column the type the migrations give it', () => {
    for (const table of rmSchemaRequirements()) {
      const script = rmSchemaScript(type, schema).find((t) => t.table === table.name);
      const tableDdl = script?.statements.join('\n') ?? '';
      for (const column of table.columns.filter((c) => !c.generated)) {
        const definition = new RegExp(`(?:^ {2}|ADD (?:COLUMN )?)"?${column.name}"? ([^\\s,]+)`, 'gm');
        const types = [...tableDdl.matchAll(definition)].map((m) => m[1]);
        expect({ column: `${table.name}.${column.name}`, types }).toEqual({
          column: `${table.name}.${column.name}`,
          types: [requiredTypeSql(type, column)],
        });
      }
    }
  });

  it('write the CREATE INDEX of every index the migrations make exactly as they do', () => {
    const named = rmSchemaRequirements().flatMap((t) =>
      t.indexes.filter((i) => !i.name.endsWith('_ID')).map((i) => rules.createIndex(t.name, i)),
    );
    expect(named).toHaveLength(6);
    for (const statement of named) expect(ddl.split('\n')).toContain(statement);
  });
});

describe('bareDefault', () => {
  it.each([
    ['((0))', '0'],
    ['0', '0'],
    ["'0'::integer", '0'],
    ['(getdate())', 'getdate()'],
    ["('x')", 'x'],
  ])('reads %s as %s', (expression, bare) => {
    expect(bareDefault(expression)).toBe(bare);
  });
});

describe('holds', () => {
  it('compares widths, max holding everything', () => {
    expect(holds(128, 128)).toBe(true);
    expect(holds(256, 128)).toBe(true);
    expect(holds(64, 128)).toBe(false);
    expect(holds('max', 'max')).toBe(true);
    expect(holds(4000, 'max')).toBe(false);
    expect(holds(null, 128)).toBe(false);
  });
});
