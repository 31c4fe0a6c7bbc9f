import type { LoggerService } from '@nestjs/common';
import { messageLogLine, type MessageLogFields } from '@smartlink/common';
import { logRecordRecord, type EventRecord } from '@smartlink/messaging';
import { EXECUTOR_SOURCE, loggableId } from './executor-records';

/** GTOTVSLINKLOG.LOGTYPE values (seed §04). */
const TYPE = { info: 0, warn: 1, error: 2 } as const;

/**
 * The executor's log lines about one message: each goes to stdout at once, with the message's id, command, attempt
 * and correlation id as fields of their own, and comes back as a record for `<ns>.logs`, which the caller publishes
 * with the rest of its batch, so the line also lands in GTOTVSLINKLOG where RM's operators look.
 */
export class MessageLog {
  constructor(private readonly stdout: LoggerService) {}

  info(text: string, fields: MessageLogFields, now: Date): EventRecord {
    this.stdout.log(messageLogLine(text, fields));
    return record('info', text, fields, now);
  }

  warn(text: string, fields: MessageLogFields, now: Date): EventRecord {
    this.stdout.warn(messageLogLine(text, fields));
    return record('warn', text, fields, now);
  }

  error(text: string, fields: MessageLogFields, now: Date): EventRecord {
    this.stdout.error(messageLogLine(text, fields));
    return record('error', text, fields, now);
  }
}

function record(level: keyof typeof TYPE, text: string, fields: MessageLogFields, now: Date): EventRecord {
  const id = loggableId(fields.messageId);
  return logRecordRecord({
    ...(id === undefined ? {} : { messageId: id }),
    type: TYPE[level],
    message: text,
    date: now.toISOString(),
    source: EXECUTOR_SOURCE,
  });
}
