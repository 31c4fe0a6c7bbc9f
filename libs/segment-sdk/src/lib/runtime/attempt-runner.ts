import type { EventRecord, LogRecord, Outcome } from '@smartlink/messaging';
import { HandlerTimeoutError } from '../errors/handler-timeout-error';
import type { RegisteredHandler } from '../handler/command-registry';
import type { SegmentMessage } from '../handler/segment-message';
import { AttemptLogger, type LogSink } from '../logging/attempt-logger';
import type { StdoutLogger } from '../logging/stdout-logger';
import { AttemptOutbox } from '../publishing/attempt-outbox';
import type { Clock } from './clock';

/** What one run of a handler produced. */
export interface AttemptResult {
  readonly outcome: Outcome;
  /** What the handler logged, plus the SDK's own line when the attempt failed. */
  readonly logs: readonly LogRecord[];
  /** What the handler published (`<ns>.outbound` records), in order; empty unless the attempt succeeded. */
  readonly outbound: readonly EventRecord[];
}

/** What {@link AttemptRunner} needs. */
export interface AttemptRunnerOptions {
  /** The log source, `segment:<name>`. */
  readonly source: string;
  readonly handlerTimeoutMs: number;
  /** Bound on the data of each message a handler publishes, in UTF-8 bytes. */
  readonly maxPublishBytes: number;
  readonly stdout: StdoutLogger;
  readonly clock: Clock;
  /** Where lines logged after the attempt ended go. */
  readonly lateLogs: LogSink;
  /** Told +1 when a handler outlives its timeout (it keeps running, its slot is free again) and -1 when it settles. */
  readonly abandoned?: (delta: 1 | -1) => void;
}

/** The code `FatalSegmentError` carries; matched by code so a second copy of the SDK in node_modules still counts. */
const FATAL_CODE = 'SEGMENT_FATAL';

/**
 * Runs one handler for one attempt and turns how it ended into an outcome: resolved → `succeeded`; threw
 * `FatalSegmentError` → `fatal`; threw anything else, or did not settle within the handler timeout → `failed`.
 * The outcome carries the error's message; its stack goes to the log record's debug detail.
 */
export class AttemptRunner {
  constructor(private readonly options: AttemptRunnerOptions) {}

  /**
   * @param registered the command's handler; `undefined` ends the attempt as fatal ("no handler").
   * @param abandon aborts the handler's signal early (shutdown); the result is then the caller's to drop.
   */
  async run(
    registered: RegisteredHandler | undefined,
    message: SegmentMessage,
    abandon?: AbortSignal,
  ): Promise<AttemptResult> {
    const { clock, stdout, source, handlerTimeoutMs } = this.options;
    const startedAt = clock().toISOString();
    const label = `${message.command} ${message.id} attempt ${message.attempt}`;
    const logger = new AttemptLogger(source, message, stdout, clock);
    const outbox = new AttemptOutbox(message, this.options.maxPublishBytes);
    const finish = (status: Outcome['status'], error?: string): AttemptResult => {
      logger.seal(this.options.lateLogs);
      const published = outbox.end();
      if (status !== 'succeeded' && published.length > 0) {
        // Replies belong to a successful execution; the next attempt publishes them again, under the same ids.
        stdout.debug(`${label}: ${published.length} published message(s) dropped with the ${status} attempt`);
      }
      return {
        outcome: {
          messageId: message.id,
          attempt: message.attempt,
          status,
          ...(error !== undefined && { error }),
          startedAt,
          finishedAt: clock().toISOString(),
        },
        logs: logger.records,
        outbound: status === 'succeeded' ? published : [],
      };
    };

    if (!registered) {
      const error = `no handler for command ${message.command} in ${source}`;
      logger.error(`fatal: ${error}`);
      return finish('fatal', error);
    }

    const controller = new AbortController();
    const onAbandon = () => controller.abort(abandon?.reason);
    abandon?.addEventListener('abort', onAbandon, { once: true });
    if (abandon?.aborted) onAbandon();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new HandlerTimeoutError(handlerTimeoutMs);
        controller.abort(error);
        reject(error);
      }, handlerTimeoutMs);
    });
    // The async wrapper turns a synchronous throw into a rejection like any other.
    const execution = (async () =>
      registered.handler(message, {
        attempt: message.attempt,
        logger,
        signal: controller.signal,
        publish: (input) => outbox.publish(input),
        reply: (input) => outbox.reply(input),
      }))();
    // After a timeout nobody awaits the handler any more; its late rejection must not become unhandled.
    execution.catch(() => undefined);

    try {
      await Promise.race([execution, timeout]);
      return finish('succeeded');
    } catch (error) {
      if (error instanceof HandlerTimeoutError) {
        const { abandoned } = this.options;
        if (abandoned) {
          abandoned(1);
          void execution.then(
            () => abandoned(-1),
            () => abandoned(-1),
          );
        }
        logger.error(
          `failed: ${error.message}; the handler keeps running in the background but its result is ignored`,
        );
        return finish('failed', error.message);
      }
      const text = errorText(error);
      if (isFatal(error)) {
        logger.error(`fatal: ${text}`, error);
        return finish('fatal', text);
      }
      logger.error(`failed: ${text}`, error);
      return finish('failed', text);
    } finally {
      clearTimeout(timer);
      abandon?.removeEventListener('abort', onAbandon);
    }
  }
}

function isFatal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === FATAL_CODE;
}

/** The outcome's error: the message only (stacks go to the log), never empty. */
function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.trim() || `${error.name} without a message`;
  const text = typeof error === 'string' ? error.trim() : safeString(error);
  return text || 'the handler threw without a reason';
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}
