import { crashPoint, messageLogLine } from '@smartlink/common';
import { MAX_MESSAGE_ID_LENGTH } from '@smartlink/contract';
import {
  commandMessageCodec,
  logRecordRecord,
  outcomeRecord,
  SmartLinkHeaders,
  type BatchContext,
  type ConsumedMessage,
  type EventProducer,
  type EventRecord,
  type LogRecord,
  type MalformedEventError,
  type Outcome,
  type TopicNames,
} from '@smartlink/messaging';
import { SegmentShutdownError } from '../errors/segment-shutdown-error';
import type { CommandRegistry } from '../handler/command-registry';
import type { SegmentMessage } from '../handler/segment-message';
import type { LateLogBuffer } from '../logging/late-log-buffer';
import type { StdoutLogger } from '../logging/stdout-logger';
import type { SegmentStats } from '../stats/segment-stats';
import type { AttemptRunner } from './attempt-runner';
import type { Clock } from './clock';
import type { ConcurrencyLimiter } from './concurrency-limiter';
import { attemptKey, type FinishedAttempt, type FinishedAttempts } from './finished-attempts';
import type { ShutdownGrace } from './shutdown-grace';

/** How often the group coordinator hears from us while a chunk's handlers run (kafkajs throttles it further). */
export const CHUNK_HEARTBEAT_INTERVAL_MS = 1_000;

/** What {@link CommandChunkProcessor} works with; typed doubles in unit tests. */
export interface CommandChunkProcessorDeps {
  /** The log source, `segment:<name>`. */
  readonly source: string;
  readonly topics: Pick<TopicNames, 'outbound' | 'outcomes' | 'logs'>;
  readonly registry: Pick<CommandRegistry, 'get'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly runner: Pick<AttemptRunner, 'run'>;
  readonly finished: FinishedAttempts;
  readonly limiter: ConcurrencyLimiter;
  readonly grace: ShutdownGrace;
  readonly lateLogs: LateLogBuffer;
  readonly stats: SegmentStats;
  readonly stdout: StdoutLogger;
  readonly clock: Clock;
}

/** A message whose (id, attempt) finished, freshly or earlier. */
interface Answer {
  readonly entry: FinishedAttempt;
}

/**
 * Handles one chunk of records from the segment's command topics: decodes them, runs each (message id, attempt)
 * once through its handler with bounded concurrency, and publishes every outcome and log record of the chunk in one
 * durable send. It resolves only after that send, so the consumer commits offsets only once the outcomes are safe;
 * if anything fails it rejects and the chunk is delivered again, where remembered attempts are answered without
 * running their handlers twice. What the handlers published goes out in that same send, ahead of the outcomes, so
 * the executor never records a success whose replies are not on `<ns>.outbound`.
 *
 * Records of one message id run one after the other, in offset order; different ids run concurrently.
 */
export class CommandChunkProcessor {
  /** Attempts running now, so a redelivery racing the first delivery waits for it instead of running twice. */
  private readonly inFlight = new Map<string, Promise<Answer | undefined>>();

  constructor(private readonly deps: CommandChunkProcessorDeps) {}

  async process(
    records: readonly ConsumedMessage[],
    context: Pick<BatchContext, 'heartbeat'>,
  ): Promise<void> {
    const { grace, lateLogs, producer, topics } = this.deps;
    const outcomes: Outcome[] = [];
    const logs: LogRecord[] = [];
    const byMessage = new Map<string, SegmentMessage[]>();
    for (const record of records) {
      const decoded = commandMessageCodec.decode(record);
      if (decoded.ok) {
        const group = byMessage.get(decoded.value.id);
        if (group) group.push(decoded.value);
        else byMessage.set(decoded.value.id, [decoded.value]);
      } else {
        const report = this.undecodable(record, decoded.error);
        if (report.outcome) outcomes.push(report.outcome);
        logs.push(report.log);
      }
    }
    const expected = [...byMessage.values()].reduce((sum, group) => sum + group.length, 0);

    const answers: Answer[] = [];
    const heartbeat = setInterval(() => {
      context.heartbeat().catch((error: unknown) => {
        this.deps.stdout.debug(`heartbeat failed (a rebalance may be under way): ${String(error)}`);
      });
    }, CHUNK_HEARTBEAT_INTERVAL_MS);
    try {
      const work = [...byMessage.values()].map(async (group) => {
        for (const message of group) {
          if (grace.isOver) return;
          const answer = await this.answer(message);
          if (answer) answers.push(answer);
        }
      });
      const all = Promise.all(work);
      // When the grace cuts the wait short, a later failure of the abandoned work must not go unhandled.
      all.catch(() => undefined);
      await Promise.race([all, grace.over]);
    } finally {
      clearInterval(heartbeat);
    }

    // Copy now: after a shutdown cut, handlers still running may finish later; those are not part of this send.
    const finished = [...new Set(answers.map((answer) => answer.entry))];
    const outbound: EventRecord[] = [];
    for (const entry of finished) {
      outcomes.push(entry.outcome);
      logs.push(...entry.unpublishedLogs);
      outbound.push(...entry.unpublishedOutbound);
    }
    if (finished.length > 0) crashPoint('segment.after-handler');
    const late = lateLogs.take();
    try {
      // Replies travel with their outcomes, listed first. If any part of the send fails, nothing is committed and
      // the redelivery sends the remembered replies again under the same ids, which the executor absorbs.
      await producer.sendBatch([
        { topic: topics.outbound, records: outbound },
        { topic: topics.outcomes, records: outcomes.map(outcomeRecord) },
        { topic: topics.logs, records: [...logs, ...late].map(logRecordRecord) },
      ]);
    } catch (error) {
      lateLogs.putBack(late);
      throw error;
    }
    for (const entry of finished) {
      entry.unpublishedLogs = [];
      entry.unpublishedOutbound = [];
    }
    if (outbound.length > 0) this.deps.stats.recordPublished(outbound.length);

    const unfinished = expected - answers.length;
    if (unfinished > 0) {
      // Only a shutdown cuts a chunk short; the finished outcomes are out, the rest goes to the next member.
      throw new SegmentShutdownError(
        `${unfinished} message(s) not finished within the shutdown grace are handed back for redelivery`,
      );
    }
  }

  /** The outcome of one (id, attempt): remembered, shared with a delivery in flight, or from running the handler. */
  private async answer(message: SegmentMessage): Promise<Answer | undefined> {
    const { finished, stats } = this.deps;
    const remembered = finished.get(message.id, message.attempt);
    if (remembered) {
      stats.recordDuplicate();
      this.deps.stdout.debug(
        `${message.command} ${message.id} attempt ${message.attempt}: redelivered; answered with the remembered ${remembered.outcome.status} outcome`,
      );
      return { entry: remembered };
    }
    const key = attemptKey(message.id, message.attempt);
    const running = this.inFlight.get(key);
    if (running) {
      const answer = await running;
      if (answer) stats.recordDuplicate();
      return answer;
    }
    const execution = this.execute(message).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, execution);
    return execution;
  }

  private async execute(message: SegmentMessage): Promise<Answer | undefined> {
    const { limiter, grace, registry, runner, finished, stats } = this.deps;
    const release = await limiter.acquire();
    try {
      // Once the grace is over nothing new starts; the message is handed back with its chunk.
      if (grace.isOver) return undefined;
      stats.recordRunning(1);
      const registered = registry.get(message.command);
      let result;
      try {
        result = await runner.run(registered, message, grace.signal);
      } finally {
        stats.recordRunning(-1);
      }
      stats.recordHandled(message.command, result.outcome.status);
      const entry: FinishedAttempt = {
        command: message.command,
        outcome: result.outcome,
        unpublishedLogs: result.logs,
        unpublishedOutbound: result.outbound,
      };
      finished.remember(message.id, message.attempt, entry);
      return { entry };
    } finally {
      release();
    }
  }

  /**
   * A record that is not a readable command message. With a usable message id and attempt in its headers the
   * executor gets a fatal outcome (a retry would fail the same way) and dead-letters it; without them there is
   * nobody to answer, so it is only logged. Either way the chunk goes on.
   */
  private undecodable(
    record: ConsumedMessage,
    error: MalformedEventError,
  ): { outcome?: Outcome; log: LogRecord } {
    const { source, clock, stats, stdout } = this.deps;
    stats.recordUndecodable();
    const now = clock().toISOString();
    const messageId = usableMessageId(record.headers[SmartLinkHeaders.messageId]);
    const attempt = usableAttempt(record.headers[SmartLinkHeaders.attempt]);
    const where = `${record.topic} partition ${record.partition} offset ${record.offset}`;
    const answered = messageId !== undefined && attempt !== undefined;
    const text = `undecodable command message on ${where}: ${error.message}`;
    const said = answered
      ? `${text}; reported as fatal`
      : `${text}; no message id and attempt to answer, skipped`;
    stdout.error(
      messageId === undefined ? said : messageLogLine(said, { messageId, attempt: attempt ?? null }),
    );
    return {
      ...(answered && {
        outcome: { messageId, attempt, status: 'fatal', error: text, startedAt: now, finishedAt: now },
      }),
      log: {
        ...(messageId !== undefined && { messageId }),
        type: 2,
        message: text,
        debug: `headers: ${JSON.stringify(record.headers)}`,
        date: now,
        source,
      },
    };
  }
}

function usableMessageId(value: string | undefined): string | undefined {
  return value !== undefined && value.length > 0 && value.length <= MAX_MESSAGE_ID_LENGTH ? value : undefined;
}

function usableAttempt(value: string | undefined): number | undefined {
  const attempt = value !== undefined && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined;
  return attempt;
}
