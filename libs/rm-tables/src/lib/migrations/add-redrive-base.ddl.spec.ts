import { addRedriveBaseDdl } from './add-redrive-base.ddl';

describe('addRedriveBaseDdl', () => {
  it('adds TENTATIVASBASE on SQL Server with a named default, and drops the default before the column', () => {
    expect(addRedriveBaseDdl('mssql')).toEqual({
      up: [
        'ALTER TABLE GTOTVSLINKMESSAGE ADD TENTATIVASBASE int NOT NULL CONSTRAINT DF_GTOTVSLINKMESSAGE_TENTATIVASBASE DEFAULT 0',
      ],
      down: [
        'ALTER TABLE GTOTVSLINKMESSAGE DROP CONSTRAINT DF_GTOTVSLINKMESSAGE_TENTATIVASBASE',
        'ALTER TABLE GTOTVSLINKMESSAGE DROP COLUMN TENTATIVASBASE',
      ],
    });
  });

  it('qualifies the SQL Server table with the bracketed schema', () => {
    expect(addRedriveBaseDdl('mssql', 'rm]x').up[0]).toMatch(
      /^ALTER TABLE \[rm\]\]x\]\.GTOTVSLINKMESSAGE ADD /,
    );
  });

  it('adds and drops the quoted column on PostgreSQL, in the schema when one is configured', () => {
    expect(addRedriveBaseDdl('postgres')).toEqual({
      up: ['ALTER TABLE "GTOTVSLINKMESSAGE" ADD COLUMN "TENTATIVASBASE" integer NOT NULL DEFAULT 0'],
      down: ['ALTER TABLE "GTOTVSLINKMESSAGE" DROP COLUMN "TENTATIVASBASE"'],
    });
    expect(addRedriveBaseDdl('postgres', 'rm').up).toEqual([
      'ALTER TABLE "rm"."GTOTVSLINKMESSAGE" ADD COLUMN "TENTATIVASBASE" integer NOT NULL DEFAULT 0',
    ]);
  });

  it('adds and drops the column on SQLite, which has no schemas', () => {
    expect(addRedriveBaseDdl('sqlite', 'ignored')).toEqual({
      up: ['ALTER TABLE "GTOTVSLINKMESSAGE" ADD COLUMN "TENTATIVASBASE" integer NOT NULL DEFAULT 0'],
      down: ['ALTER TABLE "GTOTVSLINKMESSAGE" DROP COLUMN "TENTATIVASBASE"'],
    });
  });
});
