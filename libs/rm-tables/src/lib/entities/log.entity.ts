import { MessageLimits } from '@smartlink/common';
import { EntitySchema } from 'typeorm';
import { BIG_ID_AS_STRING, type RmColumnTypes } from '../schema/rm-column-types';
import { RmConstraintName, RmTableName } from '../schema/rm-table-names';
import type { LogType } from './log-type';

/**
 * One log record: a row of `GTOTVSLINKLOG`, with the columns RM documents. Written in batches, only purged by age.
 * A persistence shape only, never a DTO.
 */
export class LogEntity {
  /** `ID`: identity key; a string because 64-bit integers do not fit a JS number. */
  id!: string;
  /** `IDMENSAGEM`: the message the record is about, if any; operators filter a message's logs by it. */
  messageId!: string | null;
  /** `LOGTYPE`. */
  type!: LogType;
  /** `LOGMENSAGEM`: the text. */
  message!: string;
  /** `LOGDATE`: when the record was made; also the retention clock of the purge. */
  date!: Date;
  /** `DATADEBUG`: extra detail. */
  debug!: string | null;
}

/** What a writer supplies for a new `GTOTVSLINKLOG` row; omitted optional fields are null. */
export type NewLog = Omit<LogEntity, 'id' | 'messageId' | 'debug'> &
  Partial<Pick<LogEntity, 'messageId' | 'debug'>>;

/** Maps {@link LogEntity} to `GTOTVSLINKLOG` with the given database's column types. */
export function logEntitySchema(types: RmColumnTypes, schema?: string): EntitySchema<LogEntity> {
  return new EntitySchema<LogEntity>({
    name: 'LogEntity',
    target: LogEntity,
    tableName: RmTableName.Log,
    schema,
    columns: {
      id: {
        ...types.bigId,
        name: 'ID',
        primary: true,
        generated: 'increment',
        primaryKeyConstraintName: RmConstraintName.LogPrimaryKey,
        transformer: BIG_ID_AS_STRING,
      },
      messageId: { ...types.shortText, name: 'IDMENSAGEM', length: MessageLimits.MESSAGE_ID, nullable: true },
      type: { ...types.smallInt, name: 'LOGTYPE' },
      message: { ...types.longText, name: 'LOGMENSAGEM' },
      date: { ...types.timestamp, name: 'LOGDATE' },
      debug: { ...types.longText, name: 'DATADEBUG', nullable: true },
    },
    indices: [
      { name: RmConstraintName.LogDate, columns: ['date'] },
      { name: RmConstraintName.LogMessage, columns: ['messageId'] },
    ],
  });
}
