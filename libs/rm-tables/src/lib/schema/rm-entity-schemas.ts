import type { EntitySchema } from 'typeorm';
import { logEntitySchema } from '../entities/log.entity';
import { messageExecEntitySchema } from '../entities/message-exec.entity';
import { messageEntitySchema } from '../entities/message.entity';
import { RM_COLUMN_TYPES } from './rm-column-types';
import type { RmDatabaseType } from './rm-database-type';

/** The three RM table mappings with the column types of `type`, in `schema` when given (PostgreSQL, SQL Server). */
export function rmEntitySchemas(type: RmDatabaseType, schema?: string): EntitySchema[] {
  const types = RM_COLUMN_TYPES[type];
  return [
    messageEntitySchema(types, schema),
    messageExecEntitySchema(types, schema),
    logEntitySchema(types, schema),
  ] as EntitySchema[];
}
