import { MessageLimits } from '@smartlink/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { LogEntity } from '../entities/log.entity';
import { MessageExecEntity } from '../entities/message-exec.entity';
import { MessageEntity } from '../entities/message.entity';
import { BIG_ID_AS_STRING, RM_COLUMN_TYPES } from './rm-column-types';
import type { RmDatabaseType } from './rm-database-type';
import { rmEntitySchemas } from './rm-entity-schemas';

/** Builds and validates TypeORM's metadata for the entity schemas without connecting (no server needed). */
async function buildMetadata(options: DataSourceOptions) {
  const dataSource = new DataSource(options);
  await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  return dataSource;
}

const driverOptions: Record<RmDatabaseType, DataSourceOptions> = {
  mssql: { type: 'mssql', host: 'localhost', username: 'sa', password: 'unused', database: 'rm' },
  postgres: { type: 'postgres', host: 'localhost', database: 'rm' },
  sqlite: { type: 'better-sqlite3', database: ':memory:' },
};

describe('RM_COLUMN_TYPES', () => {
  it('maps SQL Server to nvarchar text and datetime2(3) dates', () => {
    expect(RM_COLUMN_TYPES.mssql).toEqual({
      shortText: { type: 'nvarchar' },
      longText: { type: 'nvarchar', length: 'MAX' },
      smallInt: { type: 'smallint' },
      int: { type: 'int' },
      bigId: { type: 'bigint' },
      timestamp: { type: 'datetime2', precision: 3 },
    });
  });

  it('maps PostgreSQL to varchar/text and timestamptz', () => {
    expect(RM_COLUMN_TYPES.postgres).toEqual({
      shortText: { type: 'varchar' },
      longText: { type: 'text' },
      smallInt: { type: 'smallint' },
      int: { type: 'integer' },
      bigId: { type: 'bigint' },
      timestamp: { type: 'timestamptz' },
    });
  });

  it("maps SQLite to integer keys and TypeORM's datetime", () => {
    expect(RM_COLUMN_TYPES.sqlite).toEqual({
      shortText: { type: 'varchar' },
      longText: { type: 'text' },
      smallInt: { type: 'smallint' },
      int: { type: 'integer' },
      bigId: { type: 'integer' },
      timestamp: { type: 'datetime' },
    });
  });

  describe.each(['mssql', 'postgres', 'sqlite'] as const)('entity metadata on %s', (type) => {
    let dataSource: DataSource;
    beforeAll(async () => {
      dataSource = await buildMetadata({ ...driverOptions[type], entities: rmEntitySchemas(type) });
    });

    it('validates with the mapped types', () => {
      expect(dataSource.entityMetadatas.map((m) => m.tableName).sort()).toEqual([
        'GTOTVSLINKLOG',
        'GTOTVSLINKMESSAGE',
        'GTOTVSLINKMESSAGEEXEC',
      ]);
    });

    it('gives every date column the timestamp type and every text column Unicode-safe types', () => {
      const types = RM_COLUMN_TYPES[type];
      const message = dataSource.getMetadata(MessageEntity);
      for (const name of ['DATATENTATIVAEXEC', 'DATACRIACAO', 'DATAATUALIZACAO']) {
        expect(message.findColumnWithDatabaseName(name)).toMatchObject({
          type: types.timestamp.type,
          precision: types.timestamp.precision,
        });
      }
      expect(message.findColumnWithDatabaseName('DADOS')).toMatchObject({ type: types.longText.type });
      expect(message.findColumnWithDatabaseName('ID')).toMatchObject({
        type: types.shortText.type,
        length: '128',
      });
    });

    it('sizes bounded text columns to the message limits, as the migration does', () => {
      const width = (
        target: typeof MessageEntity | typeof MessageExecEntity | typeof LogEntity,
        column: string,
      ) => dataSource.getMetadata(target).findColumnWithDatabaseName(column)?.length;
      expect({
        id: width(MessageEntity, 'ID'),
        command: width(MessageEntity, 'COMANDO'),
        audience: width(MessageEntity, 'AUDIENCE'),
        tenantId: width(MessageEntity, 'TENANTID'),
        correlatedId: width(MessageEntity, 'CORRELATEDID'),
        attemptMessageId: width(MessageExecEntity, 'IDMENSAGEM'),
        attemptCommand: width(MessageExecEntity, 'COMANDO'),
        logMessageId: width(LogEntity, 'IDMENSAGEM'),
      }).toEqual({
        id: String(MessageLimits.MESSAGE_ID),
        command: String(MessageLimits.COMMAND),
        audience: String(MessageLimits.AUDIENCE),
        tenantId: String(MessageLimits.TENANT_ID),
        correlatedId: String(MessageLimits.CORRELATED_ID),
        attemptMessageId: String(MessageLimits.MESSAGE_ID),
        attemptCommand: String(MessageLimits.COMMAND),
        logMessageId: String(MessageLimits.MESSAGE_ID),
      });
    });

    it('names every index explicitly', () => {
      const indexNames = dataSource.entityMetadatas.flatMap((m) => m.indices.map((i) => i.name)).sort();
      expect(indexNames).toEqual([
        'IX_GTOTVSLINKLOG_IDMENSAGEM',
        'IX_GTOTVSLINKLOG_LOGDATE',
        'IX_GTOTVSLINKMESSAGEEXEC_DATAFIM',
        'IX_GTOTVSLINKMESSAGE_STATUS_DATAATUALIZACAO',
        'IX_GTOTVSLINKMESSAGE_STATUS_DATATENTATIVAEXEC',
        'UQ_GTOTVSLINKMESSAGEEXEC_IDMENSAGEM_TENTATIVA',
      ]);
    });

    it('types identity keys as strings', () => {
      for (const target of [MessageExecEntity, LogEntity]) {
        const id = dataSource.getMetadata(target).findColumnWithDatabaseName('ID');
        expect(id).toMatchObject({ type: RM_COLUMN_TYPES[type].bigId.type, generationStrategy: 'increment' });
        expect(id?.transformer).toBe(BIG_ID_AS_STRING);
      }
    });
  });

  it('has teeth: TypeORM refuses PostgreSQL types on SQL Server', async () => {
    const entities = rmEntitySchemas('postgres');
    await expect(buildMetadata({ ...driverOptions.mssql, entities })).rejects.toThrow(/timestamptz/);
  });

  it('reads 64-bit identities as strings whatever the driver returns', () => {
    expect(BIG_ID_AS_STRING.from(9007199254740993n)).toBe('9007199254740993');
    expect(BIG_ID_AS_STRING.from(42)).toBe('42');
    expect(BIG_ID_AS_STRING.from('42')).toBe('42');
    expect(BIG_ID_AS_STRING.from(null)).toBeNull();
  });
});
