import { compareRmSchema, type RmSchemaReport } from './compare-rm-schema';
import { MssqlSchemaRules } from './mssql-schema-rules';
import { mssqlCatalogueReader } from './mssql-catalogue-reader';
import { RmSchemaMismatchError } from './rm-schema-mismatch.error';

type Row = Record<string, unknown>;

/** A column row as SQL Server's INFORMATION_SCHEMA.COLUMNS query returns it. */
function column(table: string, name: string, type: string, fields: Row = {}): Row {
  const [dataType, size] = type.split(/[()]/);
  const text = ['nvarchar', 'varchar', 'nchar', 'char'].includes(dataType as string);
  return {
    TABLE_NAME: table,
    COLUMN_NAME: name,
    DATA_TYPE: dataType,
    CHARACTER_MAXIMUM_LENGTH: text ? (size === 'max' ? -1 : Number(size)) : null,
    DATETIME_PRECISION: dataType?.startsWith('datetime') ? Number(size ?? 3) : null,
    IS_NULLABLE: 'NO',
    COLUMN_DEFAULT: null,
    IS_IDENTITY: 0,
    IS_COMPUTED: 0,
    ...fields,
  };
}

const NULL = { IS_NULLABLE: 'YES' };
const M = 'GTOTVSLINKMESSAGE';
const E = 'GTOTVSLINKMESSAGEEXEC';
const L = 'GTOTVSLINKLOG';

/** The rows SQL Server's catalogue holds after the migrations ran. */
function migratedRows(): { columns: Row[]; indexes: Row[] } {
  const index = (table: string, name: string, unique: boolean, ...columns: string[]) =>
    columns.map((c) => ({ TABLE_NAME: table, INDEX_NAME: name, IS_UNIQUE: unique, COLUMN_NAME: c }));
  return {
    columns: [
      column(M, 'ID', 'nvarchar(128)'),
      column(M, 'DIRECAO', 'smallint'),
      column(M, 'COMANDO', 'nvarchar(100)'),
      column(M, 'AUDIENCE', 'nvarchar(100)', NULL),
      column(M, 'TENANTID', 'nvarchar(128)', NULL),
      column(M, 'CORRELATEDID', 'nvarchar(512)', NULL),
      column(M, 'DADOS', 'nvarchar(max)'),
      column(M, 'STATUS', 'smallint'),
      column(M, 'TENTATIVAS', 'int', { COLUMN_DEFAULT: '((0))' }),
      column(M, 'DATATENTATIVAEXEC', 'datetime2(3)', NULL),
      column(M, 'DATACRIACAO', 'datetime2(3)'),
      column(M, 'DATAATUALIZACAO', 'datetime2(3)'),
      column(M, 'ULTIMOERRO', 'nvarchar(max)', NULL),
      column(M, 'TENTATIVASBASE', 'int', { COLUMN_DEFAULT: '((0))' }),
      column(E, 'ID', 'bigint', { IS_IDENTITY: 1 }),
      column(E, 'IDMENSAGEM', 'nvarchar(128)'),
      column(E, 'DIRECAO', 'smallint'),
      column(E, 'COMANDO', 'nvarchar(100)'),
      column(E, 'TENTATIVA', 'int'),
      column(E, 'STATUS', 'smallint'),
      column(E, 'DATAINICIO', 'datetime2(3)'),
      column(E, 'DATAFIM', 'datetime2(3)'),
      column(E, 'ERRO', 'nvarchar(max)', NULL),
      column(E, 'DADOS', 'nvarchar(max)', NULL),
      column(L, 'ID', 'bigint', { IS_IDENTITY: 1 }),
      column(L, 'IDMENSAGEM', 'nvarchar(128)', NULL),
      column(L, 'LOGTYPE', 'smallint'),
      column(L, 'LOGMENSAGEM', 'nvarchar(max)'),
      column(L, 'LOGDATE', 'datetime2(3)'),
      column(L, 'DATADEBUG', 'nvarchar(max)', NULL),
    ],
    indexes: [
      ...index(M, 'PK_GTOTVSLINKMESSAGE', true, 'ID'),
      ...index(M, 'IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC', false, 'STATUS', 'DATATENTATIVAEXEC'),
      ...index(M, 'IX_GTOTVSLINKMESSAGE_STATUS_DATAATUALIZACAO', false, 'STATUS', 'DATAATUALIZACAO'),
      ...index(E, 'PK_GTOTVSLINKMESSAGEEXEC', true, 'ID'),
      ...index(E, 'UQ_GTOTVSLINKMESSAGEEXEC_IDMENSAGEM_TENTATIVA', true, 'IDMENSAGEM', 'TENTATIVA'),
      ...index(E, 'IX_GTOTVSLINKMESSAGEEXEC_DATAFIM', false, 'DATAFIM'),
      ...index(L, 'PK_GTOTVSLINKLOG', true, 'ID'),
      ...index(L, 'IX_GTOTVSLINKLOG_LOGDATE', false, 'LOGDATE'),
      ...index(L, 'IX_GTOTVSLINKLOG_IDMENSAGEM', false, 'IDMENSAGEM'),
    ],
  };
}

function verify(rows: { columns: Row[]; indexes: Row[] }, schema?: string): RmSchemaReport {
  const catalogue = mssqlCatalogueReader(schema).catalogue([rows.columns, rows.indexes]);
  return compareRmSchema(catalogue, new MssqlSchemaRules(schema));
}

/** The migrated rows with one column changed (or removed, with `null`). */
function changed(table: string, name: string, replacement: Row | null) {
  const rows = migratedRows();
  const i = rows.columns.findIndex((c) => c['TABLE_NAME'] === table && c['COLUMN_NAME'] === name);
  rows.columns.splice(i, 1, ...(replacement ? [replacement] : []));
  return rows;
}

/** Each mismatch as `where: problem` and its fix, for short assertions. */
function findings(report: RmSchemaReport, kind: 'mismatches' | 'warnings' = 'mismatches') {
  return report[kind].map((f) => ({
    at: f.column ? `${f.table}.${f.column}` : f.table,
    problem: f.problem,
    fix: f.fix.statements.join('\n'),
    ...(f.fix.note ? { note: f.fix.note } : {}),
  }));
}

describe('compareRmSchema on SQL Server catalogue rows', () => {
  it('finds nothing in the tables the migrations make', () => {
    expect(verify(migratedRows())).toEqual({ mismatches: [], warnings: [] });
  });

  describe("when RM's DBA made the tables", () => {
    it('tolerates audit columns that are nullable, defaulted or set by the server', () => {
      const rows = migratedRows();
      for (const table of [M, E, L]) {
        rows.columns.push(
          column(table, 'RECCREATEDBY', 'varchar(50)', NULL),
          column(table, 'RECCREATEDON', 'datetime', { COLUMN_DEFAULT: '(getdate())' }),
          column(table, 'RECMODIFIEDBY', 'varchar(50)', NULL),
          column(table, 'RECMODIFIEDON', 'datetime', NULL),
          column(table, 'RECVERSION', 'timestamp'),
          column(table, 'RECID', 'bigint', { IS_IDENTITY: 1 }),
        );
      }
      expect(verify(rows)).toEqual({ mismatches: [], warnings: [] });
    });

    it('tolerates wider types, NULL where the client always writes a value, and indexes of any name', () => {
      const rows = migratedRows();
      const wider: Record<string, Row> = {
        [`${M}.ID`]: { CHARACTER_MAXIMUM_LENGTH: 256 },
        [`${M}.CORRELATEDID`]: { CHARACTER_MAXIMUM_LENGTH: -1 },
        [`${M}.DIRECAO`]: { DATA_TYPE: 'int' },
        [`${M}.TENTATIVAS`]: { DATA_TYPE: 'bigint' },
        [`${M}.DATACRIACAO`]: { DATETIME_PRECISION: 7 },
        [`${M}.COMANDO`]: { IS_NULLABLE: 'YES' },
        [`${E}.TENTATIVA`]: { DATA_TYPE: 'bigint' },
        [`${E}.STATUS`]: { DATA_TYPE: 'bigint', IS_NULLABLE: 'YES' },
        [`${E}.DATAFIM`]: { DATA_TYPE: 'datetimeoffset', DATETIME_PRECISION: 7 },
        [`${L}.LOGTYPE`]: { DATA_TYPE: 'int' },
      };
      rows.columns = rows.columns.map((c) => ({
        ...c,
        ...wider[`${String(c['TABLE_NAME'])}.${String(c['COLUMN_NAME'])}`],
      }));
      rows.indexes = rows.indexes.map((i) => ({
        ...i,
        INDEX_NAME: `RM_${String(i['INDEX_NAME']).slice(3)}`,
      }));
      // The unique key with its columns the other way round, and the due index with a trailing column.
      const uq = rows.indexes.filter((i) => String(i['INDEX_NAME']).includes('IDMENSAGEM_TENTATIVA'));
      uq.reverse().forEach((row, i) =>
        Object.assign(row, { COLUMN_NAME: i === 0 ? 'TENTATIVA' : 'IDMENSAGEM' }),
      );
      rows.indexes.push({
        TABLE_NAME: M,
        INDEX_NAME: 'RM_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC',
        IS_UNIQUE: false,
        COLUMN_NAME: 'ID',
      });
      expect(verify(rows)).toEqual({ mismatches: [], warnings: [] });
    });

    it('matches names whatever their case, as SQL Server does under RM collations', () => {
      const rows = migratedRows();
      rows.columns = rows.columns.map((c) => ({ ...c, TABLE_NAME: String(c['TABLE_NAME']).toLowerCase() }));
      rows.columns[1] = { ...rows.columns[1], COLUMN_NAME: 'Direcao' };
      expect(verify(rows).mismatches).toEqual([]);
    });
  });

  describe('reports as a mismatch, with the fix', () => {
    it('a missing table, with its CREATE TABLE, indexes and the column the second migration adds', () => {
      const rows = migratedRows();
      rows.columns = rows.columns.filter((c) => c['TABLE_NAME'] !== M);
      const [missing] = findings(verify(rows));
      expect(missing?.at).toBe(M);
      expect(missing?.problem).toBe('missing');
      expect(missing?.fix).toMatch(/^CREATE TABLE GTOTVSLINKMESSAGE \(\n {2}ID nvarchar\(128\) NOT NULL,/);
      expect(missing?.fix.split('\n').filter((l) => /^(CREATE INDEX|ALTER)/.test(l))).toEqual([
        'CREATE INDEX IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC ON GTOTVSLINKMESSAGE (STATUS, DATATENTATIVAEXEC)',
        'CREATE INDEX IX_GTOTVSLINKMESSAGE_STATUS_DATAATUALIZACAO ON GTOTVSLINKMESSAGE (STATUS, DATAATUALIZACAO)',
        'ALTER TABLE GTOTVSLINKMESSAGE ADD TENTATIVASBASE int NOT NULL CONSTRAINT DF_GTOTVSLINKMESSAGE_TENTATIVASBASE DEFAULT 0',
      ]);
    });

    it('a missing column', () => {
      expect(findings(verify(changed(M, 'CORRELATEDID', null)))).toEqual([
        {
          at: 'GTOTVSLINKMESSAGE.CORRELATEDID',
          problem: 'missing',
          fix: 'ALTER TABLE GTOTVSLINKMESSAGE ADD CORRELATEDID nvarchar(512) NULL',
        },
      ]);
      expect(findings(verify(changed(M, 'TENTATIVASBASE', null)))[0]?.fix).toBe(
        'ALTER TABLE GTOTVSLINKMESSAGE ADD TENTATIVASBASE int NOT NULL CONSTRAINT DF_GTOTVSLINKMESSAGE_TENTATIVASBASE DEFAULT 0',
      );
      expect(findings(verify(changed(L, 'ID', null)))[0]?.fix).toBe(
        'ALTER TABLE GTOTVSLINKLOG ADD ID bigint IDENTITY(1,1) NOT NULL',
      );
    });

    it('non-Unicode or fixed-width text', () => {
      const varchar = verify(changed(M, 'DADOS', column(M, 'DADOS', 'varchar(max)')));
      expect(findings(varchar)).toEqual([
        {
          at: 'GTOTVSLINKMESSAGE.DADOS',
          problem:
            'varchar(max) where the client needs nvarchar(max) or wider: not nvarchar: the characters outside its ' +
            'code page would be lost, and lookups would scan the table',
          fix: 'ALTER TABLE GTOTVSLINKMESSAGE ALTER COLUMN DADOS nvarchar(max) NOT NULL',
          note: 'drop the indexes and constraints on the column first, and re-create them after',
        },
      ]);
      const nchar = verify(changed(E, 'COMANDO', column(E, 'COMANDO', 'nchar(100)')));
      expect(findings(nchar)[0]?.problem).toBe(
        'nchar(100) where the client needs nvarchar(100) or wider: fixed width: values would come back padded with spaces',
      );
    });

    it('text narrower than what the client writes', () => {
      expect(findings(verify(changed(M, 'TENANTID', column(M, 'TENANTID', 'nvarchar(36)', NULL))))).toEqual([
        {
          at: 'GTOTVSLINKMESSAGE.TENANTID',
          problem:
            'nvarchar(36) where the client needs nvarchar(128) or wider: too narrow for what the client writes',
          fix: 'ALTER TABLE GTOTVSLINKMESSAGE ALTER COLUMN TENANTID nvarchar(128) NULL',
          note: 'drop the indexes and constraints on the column first, and re-create them after',
        },
      ]);
      expect(
        findings(verify(changed(L, 'LOGMENSAGEM', column(L, 'LOGMENSAGEM', 'nvarchar(4000)'))))[0]?.problem,
      ).toBe(
        'nvarchar(4000) where the client needs nvarchar(max) or wider: too narrow for what the client writes',
      );
    });

    it('dates without milliseconds', () => {
      expect(findings(verify(changed(E, 'DATAFIM', column(E, 'DATAFIM', 'datetime'))))[0]?.problem).toBe(
        'datetime where the client needs datetime2(3) or wider: rounds the milliseconds the client compares',
      );
      expect(findings(verify(changed(E, 'DATAFIM', column(E, 'DATAFIM', 'datetime2(0)'))))[0]?.problem).toBe(
        'datetime2(0) where the client needs datetime2(3) or wider: rounds the milliseconds the client compares',
      );
    });

    it('narrower integers: an int identity, a smallint counter', () => {
      const intIdentity = column(L, 'ID', 'int', { IS_IDENTITY: 1 });
      expect(findings(verify(changed(L, 'ID', intIdentity)))[0]).toEqual({
        at: 'GTOTVSLINKLOG.ID',
        problem:
          'int where the client needs bigint or wider: too narrow: an int identity runs out after 2,147,483,647 rows',
        fix: 'ALTER TABLE GTOTVSLINKLOG ALTER COLUMN ID bigint NOT NULL',
        note: 'drop the indexes and constraints on the column first, and re-create them after',
      });
      expect(findings(verify(changed(E, 'TENTATIVA', column(E, 'TENTATIVA', 'smallint'))))[0]?.problem).toBe(
        'smallint where the client needs int or wider: too narrow or not the same kind of value',
      );
    });

    it('an ID the database does not generate', () => {
      const [finding] = findings(verify(changed(E, 'ID', column(E, 'ID', 'bigint'))));
      expect(finding).toMatchObject({
        at: 'GTOTVSLINKMESSAGEEXEC.ID',
        problem: 'generates no values (IDENTITY), but the client inserts rows without it',
        note: 'SQL Server cannot make an existing column IDENTITY: recreate GTOTVSLINKMESSAGEEXEC, moving its rows across',
      });
      expect(finding?.fix).toMatch(
        /^CREATE TABLE GTOTVSLINKMESSAGEEXEC \(\n {2}ID bigint IDENTITY\(1,1\) NOT NULL,/,
      );
    });

    it('NOT NULL where the client writes NULL', () => {
      expect(findings(verify(changed(M, 'AUDIENCE', column(M, 'AUDIENCE', 'nvarchar(255)'))))).toEqual([
        {
          at: 'GTOTVSLINKMESSAGE.AUDIENCE',
          problem: 'NOT NULL, but the client writes NULL into it',
          fix: 'ALTER TABLE GTOTVSLINKMESSAGE ALTER COLUMN AUDIENCE nvarchar(255) NULL',
        },
      ]);
    });

    it('TENTATIVASBASE without the DEFAULT 0 the INSERTs rely on', () => {
      expect(
        findings(verify(changed(M, 'TENTATIVASBASE', column(M, 'TENTATIVASBASE', 'int', NULL)))),
      ).toEqual([
        {
          at: 'GTOTVSLINKMESSAGE.TENTATIVASBASE',
          problem: "no default, but the client's INSERTs leave it out and rely on DEFAULT 0",
          fix: 'ALTER TABLE GTOTVSLINKMESSAGE ADD CONSTRAINT DF_GTOTVSLINKMESSAGE_TENTATIVASBASE DEFAULT 0 FOR TENTATIVASBASE',
          note: 'drop its current default constraint first, if it has one',
        },
      ]);
      const one = column(M, 'TENTATIVASBASE', 'int', { COLUMN_DEFAULT: '((1))' });
      expect(findings(verify(changed(M, 'TENTATIVASBASE', one)))[0]?.problem).toBe(
        "DEFAULT 1, but the client's INSERTs leave it out and rely on DEFAULT 0",
      );
    });

    it('an extra NOT NULL column without a default', () => {
      const rows = migratedRows();
      rows.columns.push(column(L, 'RECCREATEDBY', 'varchar(50)'), column(L, 'CODCOLIGADA', 'smallint'));
      expect(findings(verify(rows))).toEqual(
        ['RECCREATEDBY varchar(50)', 'CODCOLIGADA smallint'].map((definition) => ({
          at: `GTOTVSLINKLOG.${definition.split(' ')[0]}`,
          problem:
            "NOT NULL without a default, and the client's INSERTs do not set it: every insert would fail " +
            '(allow NULL, or give it a DEFAULT)',
          fix: `ALTER TABLE GTOTVSLINKLOG ALTER COLUMN ${definition} NULL`,
        })),
      );
    });

    it('a computed column where the client writes a value', () => {
      const computed = column(L, 'LOGTYPE', 'smallint', { IS_COMPUTED: 1 });
      expect(findings(verify(changed(L, 'LOGTYPE', computed)))[0]?.problem).toBe(
        'computed by the database, but the client writes it',
      );
    });

    it('a missing key that absorbs duplicates: the message ID, the (IDMENSAGEM, TENTATIVA) pair', () => {
      const rows = migratedRows();
      rows.indexes = rows.indexes.filter(
        (i) =>
          !['PK_GTOTVSLINKMESSAGE', 'UQ_GTOTVSLINKMESSAGEEXEC_IDMENSAGEM_TENTATIVA'].includes(
            String(i['INDEX_NAME']),
          ),
      );
      // Neither a non-unique index nor a unique key over more columns absorbs the duplicates.
      rows.indexes.push(
        { TABLE_NAME: M, INDEX_NAME: 'IX_ID', IS_UNIQUE: false, COLUMN_NAME: 'ID' },
        { TABLE_NAME: E, INDEX_NAME: 'UQ_WIDE', IS_UNIQUE: true, COLUMN_NAME: 'IDMENSAGEM' },
        { TABLE_NAME: E, INDEX_NAME: 'UQ_WIDE', IS_UNIQUE: true, COLUMN_NAME: 'TENTATIVA' },
        { TABLE_NAME: E, INDEX_NAME: 'UQ_WIDE', IS_UNIQUE: true, COLUMN_NAME: 'STATUS' },
      );
      expect(findings(verify(rows))).toEqual([
        {
          at: 'GTOTVSLINKMESSAGE',
          problem: 'no unique index on (ID): the client relies on it to absorb duplicates',
          fix: 'CREATE UNIQUE INDEX UQ_GTOTVSLINKMESSAGE_ID ON GTOTVSLINKMESSAGE (ID)',
        },
        {
          at: 'GTOTVSLINKMESSAGEEXEC',
          problem: 'no unique index on (IDMENSAGEM, TENTATIVA): the client relies on it to absorb duplicates',
          fix: 'CREATE UNIQUE INDEX UQ_GTOTVSLINKMESSAGEEXEC_IDMENSAGEM_TENTATIVA ON GTOTVSLINKMESSAGEEXEC (IDMENSAGEM, TENTATIVA)',
        },
      ]);
    });
  });

  describe('reports as a warning, with the CREATE INDEX', () => {
    it('a missing index the queries use, and a missing key on a generated ID', () => {
      const rows = migratedRows();
      rows.indexes = rows.indexes.filter(
        (i) =>
          !['IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC', 'PK_GTOTVSLINKLOG'].includes(
            String(i['INDEX_NAME']),
          ),
      );
      // An index that starts with another column does not serve the due query.
      rows.indexes.push(
        { TABLE_NAME: M, INDEX_NAME: 'IX_OTHER', IS_UNIQUE: false, COLUMN_NAME: 'DATATENTATIVAEXEC' },
        { TABLE_NAME: M, INDEX_NAME: 'IX_OTHER', IS_UNIQUE: false, COLUMN_NAME: 'STATUS' },
      );
      const report = verify(rows, 'dbo');
      expect(report.mismatches).toEqual([]);
      expect(findings(report, 'warnings')).toEqual([
        {
          at: 'GTOTVSLINKMESSAGE',
          problem: "no index on (STATUS, DATATENTATIVAEXEC): the client's queries on it would scan the table",
          fix: 'CREATE INDEX IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC ON [dbo].GTOTVSLINKMESSAGE (STATUS, DATATENTATIVAEXEC)',
        },
        {
          at: 'GTOTVSLINKLOG',
          problem: 'no unique index on (ID): the purge deletes by it and would scan the table',
          fix: 'CREATE UNIQUE INDEX UQ_GTOTVSLINKLOG_ID ON [dbo].GTOTVSLINKLOG (ID)',
        },
      ]);
    });
  });

  it('lists every mismatch in one message, each with its fix', () => {
    const rows = changed(M, 'DADOS', column(M, 'DADOS', 'varchar(max)'));
    rows.columns = rows.columns.filter((c) => !(c['TABLE_NAME'] === E && c['COLUMN_NAME'] === 'ERRO'));
    rows.columns.push(column(L, 'RECCREATEDBY', 'varchar(50)'));
    const error = new RmSchemaMismatchError(verify(rows).mismatches, 'mssql rm@sql01:1433/CorporeRM');
    expect(error).toMatchObject({ code: 'RM_SCHEMA_MISMATCH', retriable: false });
    expect(error.message).toBe(
      [
        'The RM tables in mssql rm@sql01:1433/CorporeRM do not fit the client: 3 mismatches. DB_SCHEMA=verify changes ' +
          'nothing in the database: have a DBA run the fixes below, then start again.',
        '  1. GTOTVSLINKMESSAGE.DADOS: varchar(max) where the client needs nvarchar(max) or wider: not nvarchar: the ' +
          'characters outside its code page would be lost, and lookups would scan the table',
        '     fix (drop the indexes and constraints on the column first, and re-create them after):',
        '       ALTER TABLE GTOTVSLINKMESSAGE ALTER COLUMN DADOS nvarchar(max) NOT NULL;',
        '  2. GTOTVSLINKMESSAGEEXEC.ERRO: missing',
        '     fix:',
        '       ALTER TABLE GTOTVSLINKMESSAGEEXEC ADD ERRO nvarchar(max) NULL;',
        "  3. GTOTVSLINKLOG.RECCREATEDBY: NOT NULL without a default, and the client's INSERTs do not set it: every " +
          'insert would fail (allow NULL, or give it a DEFAULT)',
        '     fix:',
        '       ALTER TABLE GTOTVSLINKLOG ALTER COLUMN RECCREATEDBY varchar(50) NULL;',
      ].join('\n'),
    );
  });
});
