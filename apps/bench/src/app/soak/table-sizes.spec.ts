import { TABLE_SIZES_SQL, tableSizesOfPsql, VACUUM_SQL } from './table-sizes';

describe('tableSizesOfPsql', () => {
  it('reads the five figures of one psql -At -F, line', () => {
    expect(tableSizesOfPsql('1518,225263616,75696,155603,159630\n')).toEqual({
      messageRows: 1518,
      messageBytes: 225_263_616,
      execRows: 75_696,
      logRows: 155_603,
      messageDeadRows: 159_630,
    });
  });

  it('refuses anything else, saying what it got', () => {
    expect(() => tableSizesOfPsql('ERROR: relation does not exist')).toThrow('unexpected psql output: ERROR');
  });
});

describe('the SQL', () => {
  it('names the RM tables as RM writes them, quoted', () => {
    expect(TABLE_SIZES_SQL).toContain(`pg_total_relation_size('"GTOTVSLINKMESSAGE"')`);
    expect(TABLE_SIZES_SQL).toContain('FROM "GTOTVSLINKMESSAGEEXEC"');
    expect(VACUUM_SQL).toEqual([
      'VACUUM (ANALYZE) "GTOTVSLINKMESSAGE"',
      'ANALYZE "GTOTVSLINKMESSAGEEXEC", "GTOTVSLINKLOG"',
    ]);
  });
});
