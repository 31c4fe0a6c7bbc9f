import { MessageLimits } from '@smartlink/common';
import { EntitySchema } from 'typeorm';
import { BIG_ID_AS_STRING, type RmColumnTypes } from '../schema/rm-column-types';
import { RmConstraintName, RmTableName } from '../schema/rm-table-names';
import type { AttemptStatus } from './attempt-status';
import type { MessageDirection } from './message-direction';

/**
 * One attempt to execute (downstream) or send (upstream) a message: one row of `GTOTVSLINKMESSAGEEXEC`. Written once
 * when the attempt finishes, never updated, only purged by age. A persistence shape only, never a DTO.
 */
export class MessageExecEntity {
  /** `ID`: identity key; a string because 64-bit integers do not fit a JS number. */
  id!: string;
  /** `IDMENSAGEM`: the message (`GTOTVSLINKMESSAGE.ID`), which may be gone already. */
  messageId!: string;
  /** `DIRECAO`. */
  direction!: MessageDirection;
  /** `COMANDO`. */
  command!: string;
  /** `TENTATIVA`: attempt number, from 1. Unique with `IDMENSAGEM`, so a redelivered outcome is absorbed. */
  attempt!: number;
  /** `STATUS`. */
  status!: AttemptStatus;
  /** `DATAINICIO`. */
  startedAt!: Date;
  /** `DATAFIM`: also the retention clock of the purge. */
  finishedAt!: Date;
  /** `ERRO`: what went wrong, for failed attempts. */
  error!: string | null;
  /** `DADOS`: the payload the attempt ran with, so the history keeps it once the message row is deleted. */
  data!: string | null;
}

/**
 * `NewAttempt.data` that says: copy `DADOS` inside the database, from the message's row in `GTOTVSLINKMESSAGE`, or,
 * when that row is gone, from the message's latest attempt already recorded (null when neither exists). The payload
 * of a downstream attempt is in the database already, so it need not travel to the client and back.
 */
export const DATA_OF_MESSAGE: unique symbol = Symbol('DADOS of the message, copied in the database');

/** What a writer supplies for a new `GTOTVSLINKMESSAGEEXEC` row; omitted optional fields are null. */
export type NewAttempt = Omit<MessageExecEntity, 'id' | 'error' | 'data'> & {
  readonly error?: string | null;
  readonly data?: string | null | typeof DATA_OF_MESSAGE;
};

/** The key of an attempt row that an insert actually wrote (duplicates are skipped and not reported). */
export interface InsertedAttempt {
  readonly id: string;
  readonly messageId: string;
  readonly attempt: number;
}

/** Maps {@link MessageExecEntity} to `GTOTVSLINKMESSAGEEXEC` with the given database's column types. */
export function messageExecEntitySchema(
  types: RmColumnTypes,
  schema?: string,
): EntitySchema<MessageExecEntity> {
  return new EntitySchema<MessageExecEntity>({
    name: 'MessageExecEntity',
    target: MessageExecEntity,
    tableName: RmTableName.MessageExec,
    schema,
    columns: {
      id: {
        ...types.bigId,
        name: 'ID',
        primary: true,
        generated: 'increment',
        primaryKeyConstraintName: RmConstraintName.MessageExecPrimaryKey,
        transformer: BIG_ID_AS_STRING,
      },
      messageId: { ...types.shortText, name: 'IDMENSAGEM', length: MessageLimits.MESSAGE_ID },
      direction: { ...types.smallInt, name: 'DIRECAO' },
      command: { ...types.shortText, name: 'COMANDO', length: MessageLimits.COMMAND },
      attempt: { ...types.int, name: 'TENTATIVA' },
      status: { ...types.smallInt, name: 'STATUS' },
      startedAt: { ...types.timestamp, name: 'DATAINICIO' },
      finishedAt: { ...types.timestamp, name: 'DATAFIM' },
      error: { ...types.longText, name: 'ERRO', nullable: true },
      data: { ...types.longText, name: 'DADOS', nullable: true },
    },
    indices: [
      { name: RmConstraintName.MessageExecAttempt, columns: ['messageId', 'attempt'], unique: true },
      { name: RmConstraintName.MessageExecFinished, columns: ['finishedAt'] },
    ],
  });
}
