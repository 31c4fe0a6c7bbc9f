import { QueryFailedError } from 'typeorm';
import { RmTablesError, isRetriableDatabaseError } from './rm-tables.error';

const withProps = (message: string, props: Record<string, unknown>) =>
  Object.assign(new Error(message), props);
const queryFailed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isRetriableDatabaseError', () => {
  it.each([
    ['a lost PostgreSQL connection', withProps('terminating connection', { code: '57P01' })],
    ['a PostgreSQL deadlock', withProps('deadlock detected', { code: '40P01' })],
    ['a PostgreSQL connection failure', withProps('connection failure', { code: '08006' })],
    ['a refused connection', withProps('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' })],
    ['a busy SQLite file', withProps('database is locked', { code: 'SQLITE_BUSY' })],
    ['a SQL Server deadlock', withProps('chosen as the deadlock victim', { code: 'EREQUEST', number: 1205 })],
    ['a closed SQL Server connection', withProps('Connection is closed.', { code: 'ECONNCLOSED' })],
  ])('retries %s', (_, error) => {
    expect(isRetriableDatabaseError(queryFailed(error))).toBe(true);
  });

  it.each([
    ['a PostgreSQL unique violation', withProps('duplicate key', { code: '23505' })],
    ['a PostgreSQL syntax error', withProps('syntax error', { code: '42601' })],
    ['a SQLite constraint', withProps('UNIQUE constraint failed', { code: 'SQLITE_CONSTRAINT_UNIQUE' })],
    [
      'a SQL Server primary key violation',
      withProps('Violation of PRIMARY KEY', { code: 'EREQUEST', number: 2627 }),
    ],
    ['an error without a code', new Error('something else')],
  ])('does not retry %s', (_, error) => {
    expect(isRetriableDatabaseError(queryFailed(error))).toBe(false);
  });

  it("looks inside mssql's originalError", () => {
    const wrapped = withProps('request failed', {
      originalError: withProps('timeout', { code: 'ETIMEOUT' }),
    });
    expect(isRetriableDatabaseError(wrapped)).toBe(true);
  });
});

describe('RmTablesError', () => {
  it('carries a stable code, the verdict and the cause, naming the operation', () => {
    const cause = queryFailed(withProps('deadlock detected', { code: '40P01' }));
    const error = new RmTablesError('claim due messages', cause);
    expect(error.code).toBe('RM_TABLES_QUERY_FAILED');
    expect(error.retriable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('claim due messages failed: deadlock detected');
  });
});
