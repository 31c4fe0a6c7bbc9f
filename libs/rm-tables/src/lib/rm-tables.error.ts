import { SmartLinkError } from '@smartlink/common';

/** PostgreSQL SQLSTATE classes that a later retry can get past: connection, resources, operator intervention. */
const PG_RETRIABLE_CLASSES = ['08', '53', '57', '58'];
/** PostgreSQL SQLSTATEs of contention: serialization failure, deadlock, lock not available. */
const PG_RETRIABLE_STATES = ['40001', '40P01', '55P03'];
/** SQL Server error numbers of contention: deadlock victim, lock request timeout. */
const MSSQL_RETRIABLE_NUMBERS = [1205, 1222];
/** Driver and socket codes of a lost or slow connection (tedious/mssql, node, SQLite lock contention). */
const RETRIABLE_CODES = [
  'ETIMEOUT',
  'ESOCKET',
  'ECONNCLOSED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
];

/**
 * A database call of the RM tables failed. `code` is always `RM_TABLES_QUERY_FAILED`; `retriable` says whether the
 * same call may succeed later (lost connection, lock contention, deadlock) or will fail again (constraint, bad data,
 * bad SQL). The driver's error is the `cause`; the message names the operation, never parameter values.
 */
export class RmTablesError extends SmartLinkError {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(
      'RM_TABLES_QUERY_FAILED',
      `${operation} failed: ${messageOf(cause)}`,
      isRetriableDatabaseError(cause),
      {
        cause,
      },
    );
  }
}

/** True for database errors a retry can get past; see {@link RmTablesError}. */
export function isRetriableDatabaseError(error: unknown): boolean {
  const driverError = driverErrorOf(error);
  const code = typeof driverError.code === 'string' ? driverError.code : undefined;
  if (
    code !== undefined &&
    /^[0-9A-Z]{5}$/.test(code) &&
    !code.startsWith('E') &&
    !code.startsWith('SQLITE')
  ) {
    return PG_RETRIABLE_STATES.includes(code) || PG_RETRIABLE_CLASSES.includes(code.slice(0, 2));
  }
  if (typeof driverError.number === 'number') return MSSQL_RETRIABLE_NUMBERS.includes(driverError.number);
  if (code !== undefined)
    return RETRIABLE_CODES.some((retriable) => code === retriable || code.startsWith(`${retriable}_`));
  return false;
}

interface DriverError {
  readonly code?: unknown;
  readonly number?: unknown;
  readonly message?: unknown;
}

/** TypeORM wraps the driver's error in `QueryFailedError.driverError`; mssql nests it in `originalError`. */
function driverErrorOf(error: unknown): DriverError {
  if (typeof error !== 'object' || error === null) return {};
  const wrapped = error as { driverError?: unknown; originalError?: unknown };
  if (typeof wrapped.driverError === 'object' && wrapped.driverError !== null)
    return driverErrorOf(wrapped.driverError);
  const own = error as DriverError;
  if (own.code === undefined && own.number === undefined && typeof wrapped.originalError === 'object') {
    return driverErrorOf(wrapped.originalError);
  }
  return own;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
