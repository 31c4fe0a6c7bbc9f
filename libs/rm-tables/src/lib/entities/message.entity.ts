import { MessageLimits } from '@smartlink/common';
import { EntitySchema } from 'typeorm';
import type { RmColumnTypes } from '../schema/rm-column-types';
import { RmConstraintName, RmTableName } from '../schema/rm-table-names';
import type { MessageDirection } from './message-direction';
import type { MessageStatus } from './message-status';

/**
 * A message not yet done: one row of `GTOTVSLINKMESSAGE`. The row is deleted when the message succeeds, which keeps
 * this much-updated table small. A persistence shape only: map it to your own type before it leaves the service.
 */
export class MessageEntity {
  /** `ID`: the cloud message id (downstream) or a generated UUID (upstream). At most `MessageLimits.MESSAGE_ID`. */
  id!: string;
  /** `DIRECAO`. */
  direction!: MessageDirection;
  /** `COMANDO`: the message type, at most `MessageLimits.COMMAND`. */
  command!: string;
  /** `AUDIENCE`: upstream target in the cloud. */
  audience!: string | null;
  /** `TENANTID`. */
  tenantId!: string | null;
  /** `CORRELATEDID`: id of the message this one answers. */
  correlatedId!: string | null;
  /** `DADOS`: the payload, as received or as sent. */
  data!: string;
  /** `STATUS`. */
  status!: MessageStatus;
  /** `TENTATIVAS`: attempts made so far (finished ones); the attempt being dispatched is `attempts + 1`. */
  attempts!: number;
  /**
   * `TENTATIVASBASE`: attempts made before the last redrive (0 if never redriven). The retry policy counts only the
   * attempts after it (`attempts - attemptsBase`), so a redriven message gets a fresh budget while its attempt
   * numbers keep growing: history rows stay unique per (message id, attempt).
   */
  attemptsBase!: number;
  /** `DATATENTATIVAEXEC`: when the next attempt is due (RM's "HoraProximaTentativaExecucao"). */
  nextAttemptAt!: Date | null;
  /** `DATACRIACAO`. */
  createdAt!: Date;
  /** `DATAATUALIZACAO`: last status change; a dispatched message older than the timeout has lost its outcome. */
  updatedAt!: Date;
  /** `ULTIMOERRO`: the error of the last failed attempt. */
  lastError!: string | null;
}

/** What a writer supplies for a new `GTOTVSLINKMESSAGE` row; omitted optional fields are null, `attempts` 0. */
export type NewMessage = Pick<
  MessageEntity,
  'id' | 'direction' | 'command' | 'data' | 'status' | 'createdAt'
> &
  Partial<
    Pick<
      MessageEntity,
      'audience' | 'tenantId' | 'correlatedId' | 'attempts' | 'nextAttemptAt' | 'updatedAt' | 'lastError'
    >
  >;

/** Maps {@link MessageEntity} to `GTOTVSLINKMESSAGE` with the given database's column types. */
export function messageEntitySchema(types: RmColumnTypes, schema?: string): EntitySchema<MessageEntity> {
  return new EntitySchema<MessageEntity>({
    name: 'MessageEntity',
    target: MessageEntity,
    tableName: RmTableName.Message,
    schema,
    columns: {
      id: {
        ...types.shortText,
        name: 'ID',
        length: MessageLimits.MESSAGE_ID,
        primary: true,
        primaryKeyConstraintName: RmConstraintName.MessagePrimaryKey,
      },
      direction: { ...types.smallInt, name: 'DIRECAO' },
      command: { ...types.shortText, name: 'COMANDO', length: MessageLimits.COMMAND },
      audience: { ...types.shortText, name: 'AUDIENCE', length: MessageLimits.AUDIENCE, nullable: true },
      tenantId: { ...types.shortText, name: 'TENANTID', length: MessageLimits.TENANT_ID, nullable: true },
      correlatedId: {
        ...types.shortText,
        name: 'CORRELATEDID',
        length: MessageLimits.CORRELATED_ID,
        nullable: true,
      },
      data: { ...types.longText, name: 'DADOS' },
      status: { ...types.smallInt, name: 'STATUS' },
      attempts: { ...types.int, name: 'TENTATIVAS', default: 0 },
      attemptsBase: { ...types.int, name: 'TENTATIVASBASE', default: 0 },
      nextAttemptAt: { ...types.timestamp, name: 'DATATENTATIVAEXEC', nullable: true },
      createdAt: { ...types.timestamp, name: 'DATACRIACAO' },
      updatedAt: { ...types.timestamp, name: 'DATAATUALIZACAO' },
      lastError: { ...types.longText, name: 'ULTIMOERRO', nullable: true },
    },
    indices: [
      { name: RmConstraintName.MessageDue, columns: ['status', 'nextAttemptAt'] },
      { name: RmConstraintName.MessageDispatched, columns: ['status', 'updatedAt'] },
    ],
  });
}
