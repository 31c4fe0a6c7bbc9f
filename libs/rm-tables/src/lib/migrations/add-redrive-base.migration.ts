import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rmDatabaseTypeOf } from '../schema/rm-database-type';
import { addRedriveBaseDdl } from './add-redrive-base.ddl';

/**
 * Adds `GTOTVSLINKMESSAGE.TENTATIVASBASE` ({@link addRedriveBaseDdl}): a redriven message gets a fresh attempt
 * budget without reusing attempt numbers. `down` removes the column.
 */
export class AddRedriveBaseMigration implements MigrationInterface {
  /** TypeORM records this name; the trailing 13 digits are the timestamp it orders migrations by. Never change it. */
  readonly name = 'AddRedriveBase1765497600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of ddlFor(queryRunner).up) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of ddlFor(queryRunner).down) await queryRunner.query(statement);
  }
}

function ddlFor(queryRunner: QueryRunner) {
  const options = queryRunner.dataSource.options;
  const schema = 'schema' in options ? options.schema : undefined;
  return addRedriveBaseDdl(rmDatabaseTypeOf(options.type), schema);
}
