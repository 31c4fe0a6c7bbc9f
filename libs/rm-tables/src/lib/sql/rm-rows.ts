import type { NewLog } from '../entities/log.entity';
import { DATA_OF_MESSAGE, type NewAttempt } from '../entities/message-exec.entity';
import type { NewMessage } from '../entities/message.entity';
import type {
  FailedAttemptUpdate,
  MarkStartedInput,
  RedriveDeadInput,
  SettledFailure,
} from './rm-sql-dialect';
import type { SqlParameters } from './sql-parameters';

/** Column order of message inserts; {@link messageRow} yields values in the same order. */
export const MESSAGE_COLUMNS = [
  'ID',
  'DIRECAO',
  'COMANDO',
  'AUDIENCE',
  'TENANTID',
  'CORRELATEDID',
  'DADOS',
  'STATUS',
  'TENTATIVAS',
  'DATATENTATIVAEXEC',
  'DATACRIACAO',
  'DATAATUALIZACAO',
  'ULTIMOERRO',
] as const;

/** Column order of attempt inserts (`ID` is an identity). */
export const ATTEMPT_COLUMNS = [
  'IDMENSAGEM',
  'DIRECAO',
  'COMANDO',
  'TENTATIVA',
  'STATUS',
  'DATAINICIO',
  'DATAFIM',
  'ERRO',
  'DADOS',
] as const;

/** Column order of the rows of a batched failed-attempt update; {@link failedAttemptRow} yields them in this order. */
export const FAILED_ATTEMPT_COLUMNS = [
  'ID',
  'TENTATIVA',
  'STATUS',
  'DATATENTATIVAEXEC',
  'ULTIMOERRO',
  'DATAATUALIZACAO',
] as const;

/** Column order of the rows of a batched settlement; {@link settledFailureRow} yields them in this order. */
export const SETTLED_FAILURE_COLUMNS = [
  'ID',
  'TENTATIVA',
  'STATUS',
  'DATATENTATIVAEXEC',
  'DATAATUALIZACAO',
] as const;

/** Column order of the rows of a batched started-marker update; {@link startedMarkerRow} yields them in this order. */
export const STARTED_MARKER_COLUMNS = ['ID', 'TENTATIVA', 'DATAATUALIZACAO', 'DATATENTATIVAEXEC'] as const;

/** Column order of log inserts (`ID` is an identity). */
export const LOG_COLUMNS = ['IDMENSAGEM', 'LOGTYPE', 'LOGMENSAGEM', 'LOGDATE', 'DATADEBUG'] as const;

/** A new message's values in {@link MESSAGE_COLUMNS} order, optional fields defaulted. */
export function messageRow(m: NewMessage): unknown[] {
  return [
    m.id,
    m.direction,
    m.command,
    m.audience ?? null,
    m.tenantId ?? null,
    m.correlatedId ?? null,
    m.data,
    m.status,
    m.attempts ?? 0,
    m.nextAttemptAt ?? null,
    m.createdAt,
    m.updatedAt ?? m.createdAt,
    m.lastError ?? null,
  ];
}

/**
 * The most parameters an attempt's row binds: one per column, `DADOS` included, or, when `DADOS` is copied in the
 * database ({@link DATA_OF_MESSAGE}), the message id twice in its place. Batches of attempts are sized by it.
 */
export const ATTEMPT_PARAMETERS_PER_ROW = ATTEMPT_COLUMNS.length + 1;

/**
 * An attempt's `(...)` row of values in {@link ATTEMPT_COLUMNS} order, optional fields defaulted, its parameters
 * added to `p`. `DADOS` is a parameter, or, for {@link DATA_OF_MESSAGE}, the dialect's expression that reads it in
 * the database, given a function that binds the message id once more each time it is called.
 */
export function attemptValues(
  a: NewAttempt,
  p: SqlParameters,
  dataOfMessage: (messageId: () => string) => string,
): string {
  const cells = [
    a.messageId,
    a.direction,
    a.command,
    a.attempt,
    a.status,
    a.startedAt,
    a.finishedAt,
    a.error ?? null,
  ].map((value) => p.add(value));
  const data = a.data ?? null;
  cells.push(data === DATA_OF_MESSAGE ? dataOfMessage(() => p.add(a.messageId)) : p.add(data));
  return `(${cells.join(', ')})`;
}

/** A failed attempt's values in {@link FAILED_ATTEMPT_COLUMNS} order. */
export function failedAttemptRow(u: FailedAttemptUpdate): unknown[] {
  return [u.id, u.attempt, u.status, u.nextAttemptAt, u.lastError, u.now];
}

/** A settlement's values in {@link SETTLED_FAILURE_COLUMNS} order. */
export function settledFailureRow(s: SettledFailure): unknown[] {
  return [s.id, s.attempt, s.status, s.nextAttemptAt, s.now];
}

/** A started marker's values in {@link STARTED_MARKER_COLUMNS} order. */
export function startedMarkerRow(m: MarkStartedInput): unknown[] {
  return [m.id, m.attempt, m.startedAt, m.outcomeDueBy];
}

/** A new log's values in {@link LOG_COLUMNS} order. */
export function logRow(l: NewLog): unknown[] {
  return [l.messageId ?? null, l.type, l.message, l.date, l.debug ?? null];
}

/** Guards the pure SQL builders against batches the store should have split. */
export function assertBatch(rows: number, columns: number, maxRows: number): void {
  if (rows < 1 || rows > maxRows) {
    throw new RangeError(`a statement takes 1 to ${maxRows} rows of ${columns} values, got ${rows}`);
  }
}

/**
 * Guards the redrive builders: at least one filter (a redrive of every dead message must be asked for explicitly,
 * with an open time window), a whole positive limit, and an id list that fits one statement.
 */
export function assertRedriveFilter(input: RedriveDeadInput, maxIds: number): void {
  const { ids, command, deadFrom, deadBefore, limit } = input;
  if (ids === undefined && command === undefined && deadFrom === undefined && deadBefore === undefined) {
    throw new RangeError('a redrive needs at least one filter: ids, command or a time window');
  }
  if (ids !== undefined) assertBatch(ids.length, 1, maxIds);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`a redrive takes a whole limit >= 1, got ${limit}`);
  }
}
