/** What identifies the message a log line is about; each becomes a field of its own in JSON log lines. */
export interface MessageLogFields {
  readonly messageId: string;
  readonly command?: string | null;
  readonly attempt?: number | null;
  /** The message's correlated id (CORRELATEDID), which ties a reply to its request. */
  readonly correlationId?: string | null;
}

/** A log line about one message: give it to any Nest logger as the message. */
export interface MessageLogLine extends MessageLogFields {
  readonly message: string;
}

/**
 * A log line about one message. The service logger writes `messageId`, `command`, `attempt` and `correlationId` as
 * separate JSON fields, so a log collector can find every line of a message without parsing text.
 *
 * @example
 * logger.error(messageLogLine('not executed: illegal command name', { messageId, command, attempt }))
 */
export function messageLogLine(message: string, fields: MessageLogFields): MessageLogLine {
  const line: MessageLogLine = {
    message,
    messageId: fields.messageId,
    ...(fields.command != null && { command: fields.command }),
    ...(fields.attempt != null && { attempt: fields.attempt }),
    ...(fields.correlationId != null && { correlationId: fields.correlationId }),
  };
  // A logger that turns its message into a string gets the text, not "[object Object]"; JSON leaves it out.
  Object.defineProperty(line, 'toString', { value: () => message, enumerable: false });
  return line;
}

/** True for a value built by {@link messageLogLine}. */
export function isMessageLogLine(value: unknown): value is MessageLogLine {
  if (typeof value !== 'object' || value === null) return false;
  const line = value as Record<string, unknown>;
  return typeof line['message'] === 'string' && typeof line['messageId'] === 'string';
}
