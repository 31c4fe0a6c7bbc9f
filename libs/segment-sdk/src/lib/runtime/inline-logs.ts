import {
  MAX_INLINE_LOG_BYTES,
  MAX_INLINE_LOGS,
  MAX_LOG_MESSAGE_LENGTH,
  type InlineLog,
  type LogRecord,
} from '@smartlink/messaging';

/** An attempt's log lines split between its outcome and `<ns>.logs`. */
export interface SplitLogs {
  /** The lines that ride in the outcome, oldest first. */
  readonly inline: InlineLog[];
  /** The lines that go to `<ns>.logs`: past the outcome's bounds, or about another message. */
  readonly separate: LogRecord[];
}

/**
 * Puts the first of an attempt's log lines into its outcome while they fit its bounds ({@link MAX_INLINE_LOGS} lines,
 * {@link MAX_INLINE_LOG_BYTES} bytes of JSON); from the first that does not fit on, the lines go to `<ns>.logs`, so
 * each half stays in order. A line about another message than `messageId` never rides inline.
 */
export function splitInlineLogs(messageId: string, logs: readonly LogRecord[]): SplitLogs {
  const inline: InlineLog[] = [];
  const separate: LogRecord[] = [];
  let bytes = 0;
  let full = false;
  for (const log of logs) {
    if (!full && log.messageId === messageId) {
      const { messageId: _implied, ...line } = log;
      const entry: InlineLog = { ...line, message: line.message.slice(0, MAX_LOG_MESSAGE_LENGTH) };
      const size = Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
      if (inline.length < MAX_INLINE_LOGS && bytes + size <= MAX_INLINE_LOG_BYTES) {
        inline.push(entry);
        bytes += size;
        continue;
      }
      full = true;
    }
    separate.push(log);
  }
  return { inline, separate };
}
