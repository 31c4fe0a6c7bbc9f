import { mssqlCatalogueReader } from './mssql-catalogue-reader';

describe('mssqlCatalogueReader', () => {
  it('reads the columns from INFORMATION_SCHEMA.COLUMNS of the tables OBJECT_ID resolves', () => {
    expect(mssqlCatalogueReader().statements[0]).toEqual({
      sql: [
        'SELECT t.name AS TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, c.DATETIME_PRECISION,',
        '  c.IS_NULLABLE, c.COLUMN_DEFAULT,',
        "  COLUMNPROPERTY(t.object_id, c.COLUMN_NAME, 'IsIdentity') AS IS_IDENTITY,",
        "  COLUMNPROPERTY(t.object_id, c.COLUMN_NAME, 'IsComputed') AS IS_COMPUTED",
        'FROM sys.tables AS t',
        'JOIN INFORMATION_SCHEMA.COLUMNS AS c ON c.TABLE_SCHEMA = SCHEMA_NAME(t.schema_id) AND c.TABLE_NAME = t.name',
        'WHERE t.object_id IN (OBJECT_ID(@0), OBJECT_ID(@1), OBJECT_ID(@2))',
        'ORDER BY t.name, c.ORDINAL_POSITION',
      ].join('\n'),
      parameters: ['GTOTVSLINKMESSAGE', 'GTOTVSLINKMESSAGEEXEC', 'GTOTVSLINKLOG'],
    });
  });

  it('reads the key columns of enabled, unfiltered indexes from sys.indexes', () => {
    expect(mssqlCatalogueReader().statements[1]).toEqual({
      sql: [
        'SELECT t.name AS TABLE_NAME, i.name AS INDEX_NAME, i.is_unique AS IS_UNIQUE, c.name AS COLUMN_NAME',
        'FROM sys.tables AS t',
        'JOIN sys.indexes AS i ON i.object_id = t.object_id',
        'JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id',
        'JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id',
        'WHERE t.object_id IN (OBJECT_ID(@0), OBJECT_ID(@1), OBJECT_ID(@2))',
        '  AND i.is_disabled = 0 AND i.is_hypothetical = 0 AND i.has_filter = 0 AND ic.key_ordinal > 0',
        'ORDER BY t.name, i.name, ic.key_ordinal',
      ].join('\n'),
      parameters: ['GTOTVSLINKMESSAGE', 'GTOTVSLINKMESSAGEEXEC', 'GTOTVSLINKLOG'],
    });
  });

  it('resolves the tables in the bracketed DB_TABLE_SCHEMA', () => {
    for (const statement of mssqlCatalogueReader('rm]x').statements) {
      expect(statement.parameters).toEqual([
        '[rm]]x].GTOTVSLINKMESSAGE',
        '[rm]]x].GTOTVSLINKMESSAGEEXEC',
        '[rm]]x].GTOTVSLINKLOG',
      ]);
    }
  });

  it('maps the rows as SQL Server returns them: lengths in characters, -1 for max, flags as bits', () => {
    const column = (COLUMN_NAME: string, fields: Record<string, unknown>) => ({
      TABLE_NAME: 'GtotvsLinkLog',
      COLUMN_NAME,
      CHARACTER_MAXIMUM_LENGTH: null,
      DATETIME_PRECISION: null,
      IS_NULLABLE: 'NO',
      COLUMN_DEFAULT: null,
      IS_IDENTITY: 0,
      IS_COMPUTED: 0,
      ...fields,
    });
    const catalogue = mssqlCatalogueReader().catalogue([
      [
        column('ID', { DATA_TYPE: 'bigint', IS_IDENTITY: 1 }),
        column('IDMENSAGEM', { DATA_TYPE: 'nvarchar', CHARACTER_MAXIMUM_LENGTH: 128, IS_NULLABLE: 'YES' }),
        column('LOGMENSAGEM', { DATA_TYPE: 'nvarchar', CHARACTER_MAXIMUM_LENGTH: -1 }),
        column('LOGDATE', { DATA_TYPE: 'datetime2', DATETIME_PRECISION: 7 }),
        column('RECCREATEDON', {
          DATA_TYPE: 'datetime',
          DATETIME_PRECISION: 3,
          COLUMN_DEFAULT: '(getdate())',
        }),
        column('SEQ', { DATA_TYPE: 'bigint', COLUMN_DEFAULT: '(NEXT VALUE FOR [dbo].[SQ_LOG])' }),
        column('RECVERSION', { DATA_TYPE: 'timestamp' }),
        column('TOTAL', { DATA_TYPE: 'int', IS_COMPUTED: 1, IS_NULLABLE: 'YES' }),
      ],
      [
        { TABLE_NAME: 'GtotvsLinkLog', INDEX_NAME: 'PK_LOG', IS_UNIQUE: true, COLUMN_NAME: 'ID' },
        { TABLE_NAME: 'GtotvsLinkLog', INDEX_NAME: 'IX_LOG', IS_UNIQUE: false, COLUMN_NAME: 'LOGDATE' },
        { TABLE_NAME: 'GtotvsLinkLog', INDEX_NAME: 'IX_LOG', IS_UNIQUE: false, COLUMN_NAME: 'ID' },
      ],
    ]);
    expect([...catalogue.keys()]).toEqual(['GTOTVSLINKLOG']);
    const log = catalogue.get('GTOTVSLINKLOG');
    expect(log?.columns).toEqual([
      {
        name: 'ID',
        dataType: 'bigint',
        length: null,
        precision: null,
        nullable: false,
        defaultValue: null,
        generated: true,
        computed: false,
      },
      expect.objectContaining({ name: 'IDMENSAGEM', dataType: 'nvarchar', length: 128, nullable: true }),
      expect.objectContaining({ name: 'LOGMENSAGEM', length: 'max' }),
      expect.objectContaining({ name: 'LOGDATE', dataType: 'datetime2', precision: 7 }),
      expect.objectContaining({ name: 'RECCREATEDON', defaultValue: '(getdate())', generated: false }),
      expect.objectContaining({ name: 'SEQ', generated: true }),
      expect.objectContaining({ name: 'RECVERSION', computed: true }),
      expect.objectContaining({ name: 'TOTAL', computed: true }),
    ]);
    expect(log?.indexes).toEqual([
      { name: 'PK_LOG', columns: ['ID'], unique: true },
      { name: 'IX_LOG', columns: ['LOGDATE', 'ID'], unique: false },
    ]);
  });
});
