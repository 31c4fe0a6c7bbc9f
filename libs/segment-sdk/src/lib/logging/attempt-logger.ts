import { messageLogLine, type MessageLogFields } from '@smartlink/common';
import type { CommandMessage, LogRecord } from '@smartlink/messaging';
import type { Clock } from '../runtime/clock';
import { debugText } from './debug-text';
import type { SegmentLogger } from './segment-logger';
import type { StdoutLogger } from './stdout-logger';

/** GTOTVSLINKLOG.LOGTYPE. */
const LogType = { info: 0, warn: 1, error: 2 } as const;

/** Where an attempt's log records go until they are published. */
export type LogSink = (record: LogRecord) => void;

/**
 * The logger a handler gets for one attempt: each line goes to stdout at once, prefixed with the command, message id
 * and attempt and carrying them (and the correlation id) as JSON fields of their own, and, as a `LogRecord` with the
 * message id, into the attempt's records, which are published with its outcome. Lines written after the attempt
 * ended (a handler that timed out and kept going) are redirected to a late sink and go out with a later batch.
 */
export class AttemptLogger implements SegmentLogger {
  /** The records collected while the attempt ran, in order. */
  readonly records: LogRecord[] = [];
  private sink: LogSink = (record) => this.records.push(record);
  private readonly messageId: string;
  /** Prefixes stdout lines, e.g. `DemoPing m-1 attempt 2`. */
  private readonly label: string;
  private readonly fields: MessageLogFields;

  constructor(
    private readonly source: string,
    message: Pick<CommandMessage, 'id' | 'command' | 'attempt' | 'correlatedId'>,
    private readonly stdout: StdoutLogger,
    private readonly clock: Clock,
  ) {
    this.messageId = message.id;
    this.label = `${message.command} ${message.id} attempt ${message.attempt}`;
    this.fields = {
      messageId: message.id,
      command: message.command,
      attempt: message.attempt,
      correlationId: message.correlatedId,
    };
  }

  info(message: string, debug?: unknown): void {
    this.write('info', message, debug);
  }

  warn(message: string, debug?: unknown): void {
    this.write('warn', message, debug);
  }

  error(message: string, debug?: unknown): void {
    this.write('error', message, debug);
  }

  /** Sends every later line to `late` instead of the attempt's records. */
  seal(late: LogSink): void {
    this.sink = late;
  }

  private write(level: keyof typeof LogType, message: string, debug: unknown): void {
    const detail = debugText(debug);
    const line = messageLogLine(`${this.label}: ${String(message)}`, this.fields);
    if (level === 'info') this.stdout.log(line);
    else if (level === 'warn') this.stdout.warn(line);
    else this.stdout.error(line);
    if (detail !== undefined) this.stdout.debug(messageLogLine(`${this.label}: ${detail}`, this.fields));
    this.sink({
      messageId: this.messageId,
      type: LogType[level],
      message: String(message),
      ...(detail !== undefined && { debug: detail }),
      date: this.clock().toISOString(),
      source: this.source,
    });
  }
}
