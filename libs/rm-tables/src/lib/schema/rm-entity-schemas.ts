import type { EntitySchema } from 'typeorm';
import { logEntitySchema } from '../entities/log.entity';
import { messageExecEntitySchema } from '../entities/message-exec.entity';
import { messageEntitySchema } from '../entities/message.entity';
import { INTEGER_AS_NUMBER, RM_COLUMN_TYPES, type RmColumnTypes } from './rm-column-types';
import type { RmDatabaseType } from './rm-database-type';

/** The three RM table mappings with the column types of `type`, in `schema` when given (PostgreSQL, SQL Server). */
export function rmEntitySchemas(type: RmDatabaseType, schema?: string): EntitySchema[] {
  const base = RM_COLUMN_TYPES[type];
  const types: RmColumnTypes = {
    ...base,
    smallInt: { ...base.smallInt, transformer: INTEGER_AS_NUMBER },
    int: { ...base.int, transformer: INTEGER_AS_NUMBER },
  };
  return [
    messageEntitySchema(types, schema),
    messageExecEntitySchema(types, schema),
    logEntitySchema(types, schema),
  ] as EntitySchema[];
}
