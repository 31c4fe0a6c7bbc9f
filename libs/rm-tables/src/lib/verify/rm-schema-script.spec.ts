import { addRedriveBaseDdl } from '../migrations/add-redrive-base.ddl';
import { createRmTablesDdl } from '../migrations/create-rm-tables.ddl';
import { rmSchemaScript } from './rm-schema-script';

describe('rmSchemaScript', () => {
  it.each(['mssql', 'postgres', 'sqlite'] as const)(
    'holds every statement the migrations run on %s, each under its table',
    (type) => {
      const schema = type === 'sqlite' ? undefined : 'rm';
      const migrations = [...createRmTablesDdl(type, schema).up, ...addRedriveBaseDdl(type, schema).up];
      const script = rmSchemaScript(type, schema);
      expect(script.map((t) => t.table)).toEqual([
        'GTOTVSLINKMESSAGE',
        'GTOTVSLINKMESSAGEEXEC',
        'GTOTVSLINKLOG',
      ]);
      expect(script.flatMap((t) => t.statements).sort()).toEqual([...migrations].sort());
      for (const { table, statements } of script) {
        expect(statements[0]).toMatch(new RegExp(`^CREATE TABLE \\S*\\b${table}"? \\(`));
      }
    },
  );

  it('gives GTOTVSLINKMESSAGE its table, indexes and the TENTATIVASBASE of the second migration on SQL Server', () => {
    const [message] = rmSchemaScript('mssql');
    expect(message?.statements.map((s) => s.split('\n')[0])).toEqual([
      'CREATE TABLE GTOTVSLINKMESSAGE (',
      'CREATE INDEX IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC ON GTOTVSLINKMESSAGE (STATUS, DATATENTATIVAEXEC)',
      'CREATE INDEX IX_GTOTVSLINKMESSAGE_STATUS_DATAATUALIZACAO ON GTOTVSLINKMESSAGE (STATUS, DATAATUALIZACAO)',
      'ALTER TABLE GTOTVSLINKMESSAGE ADD TENTATIVASBASE int NOT NULL CONSTRAINT DF_GTOTVSLINKMESSAGE_TENTATIVASBASE DEFAULT 0',
    ]);
  });
});
