import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rmDatabaseTypeOf } from '../schema/rm-database-type';
import { createRmTablesDdl } from './create-rm-tables.ddl';

/**
 * Creates `GTOTVSLINKMESSAGE`, `GTOTVSLINKMESSAGEEXEC` and `GTOTVSLINKLOG` with their indexes, using the DDL of
 * the database the DataSource talks to ({@link createRmTablesDdl}). `down` drops them.
 */
export class CreateRmTablesMigration implements MigrationInterface {
  /** TypeORM records this name; the trailing 13 digits are the timestamp it orders migrations by. Never change it. */
  readonly name = 'CreateRmTables1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of ddlFor(queryRunner).up) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of ddlFor(queryRunner).down) await queryRunner.query(statement);
  }
}

function ddlFor(queryRunner: QueryRunner) {
  const options = queryRunner.dataSource.options;
  const type = rmDatabaseTypeOf(options.type);
  const schema = 'schema' in options ? options.schema : undefined;
  return createRmTablesDdl(type, schema);
}
