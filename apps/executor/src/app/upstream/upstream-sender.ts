import { type Clock, crashPoint, messageLogLine } from '@smartlink/common';
import type { LoggerService } from '@nestjs/common';
import type { SmartLinkTransport } from '@smartlink/contract';
import { MessageDirection, type MessageEntity } from '@smartlink/rm-tables';
import type { AttemptRecorder } from '../attempts/attempt-recorder';
import type { FinishedAttempt } from '../attempts/finished-attempt';
import type { ExecutorCounters } from '../metrics/executor-counters';
import type { CloudEnvelope } from './cloud-envelope';
import type { CloudPause } from './cloud-pause';
import { MissingAudienceError } from './missing-audience-error';
import { sendVerdict } from './send-verdict';
import { GRACE_OVER, type ShutdownGrace } from './shutdown-grace';

/** How often the group coordinator hears from us while a chunk's sends run (kafkajs throttles it further). */
export const SEND_HEARTBEAT_INTERVAL_MS = 1_000;

/** What a send needs of an upstream row of GTOTVSLINKMESSAGE. */
export type UpstreamMessage = Pick<
  MessageEntity,
  'id' | 'command' | 'audience' | 'correlatedId' | 'data' | 'createdAt'
>;

/** One upstream message to send for one attempt. */
export interface UpstreamAttempt {
  /** Its row in GTOTVSLINKMESSAGE (DIRECAO 0), marked dispatched for this attempt. */
  readonly message: UpstreamMessage;
  /** `TENTATIVAS` + 1 of the row. */
  readonly attempt: number;
}

/** What sending a set of attempts came to. */
export interface SendReport {
  /** Attempts that ended and are recorded (whatever their outcome). */
  readonly recorded: number;
  /** Attempts not started, or still in flight, when the shutdown grace ran out: not recorded, to be sent again. */
  readonly handedBack: number;
}

/** What {@link UpstreamSender} works with; narrow, so unit tests pass typed doubles. */
export interface UpstreamSenderDeps {
  readonly cloud: Pick<SmartLinkTransport, 'send' | 'tenantId'>;
  readonly envelope: Pick<CloudEnvelope, 'build'>;
  readonly recorder: Pick<AttemptRecorder, 'record'>;
  readonly pause: CloudPause;
  readonly grace: Pick<ShutdownGrace, 'isOver' | 'race'>;
  readonly counters: ExecutorCounters;
  readonly clock: Clock;
  readonly logger: LoggerService;
  readonly settings: { readonly sendConcurrency: number; readonly maxSendPauseMs: number };
  /** Waits `ms`; a test double replaces real time. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends upstream messages to the cloud (`send/{type}/{audience}`), for the first attempt (from `<ns>.outbound`) and
 * for retries (from `retry-due` events), and records every attempt the same way downstream attempts are recorded.
 *
 * Sends run concurrently, at most `sendConcurrency` at a time (the link API takes one message per call; the database
 * and Kafka work around them is batched per chunk). The client renews the token on a 401 and retries once. A refusal
 * that would repeat (400, the literal `false`, an oversize body) is fatal; anything else is a failed attempt whose
 * `failed` event carries the cloud's Retry-After, which the retry scheduler honours. A Retry-After also pauses the
 * sends of this process not yet started, up to `maxSendPauseMs`.
 *
 * The attempts are recorded only once every send of the set has ended, in one history insert, one status update, one
 * delete and one publish. On shutdown, sends not started when the grace runs out are not started, and sends still in
 * flight are abandoned; neither is recorded, and the caller hands them back for redelivery (sent again: at least
 * once).
 */
export class UpstreamSender {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: UpstreamSenderDeps) {
    this.sleep = deps.sleep ?? unrefSleep;
  }

  async send(attempts: readonly UpstreamAttempt[], heartbeat?: () => Promise<void>): Promise<SendReport> {
    if (attempts.length === 0) return { recorded: 0, handedBack: 0 };
    const results: (FinishedAttempt | null)[] = new Array(attempts.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < attempts.length) {
        const index = next++;
        results[index] = await this.sendOne(attempts[index] as UpstreamAttempt);
      }
    };
    const beat = heartbeat
      ? setInterval(() => {
          heartbeat().catch((error: unknown) => {
            this.deps.logger.debug?.(`heartbeat failed (a rebalance may be under way): ${String(error)}`);
          });
        }, SEND_HEARTBEAT_INTERVAL_MS)
      : undefined;
    try {
      const workers = Math.min(this.deps.settings.sendConcurrency, attempts.length);
      await Promise.all(Array.from({ length: workers }, worker));
    } finally {
      clearInterval(beat);
    }

    const finished = results.filter((r): r is FinishedAttempt => r !== null);
    if (finished.length > 0) crashPoint('executor.after-send');
    const handedBack = attempts.length - finished.length;
    const { counters } = this.deps;
    counters.sendsHandedBack += handedBack;
    const recorded = await this.deps.recorder.record(finished);
    for (const attempt of recorded.attempts) {
      if (attempt.status === 'succeeded') counters.sendsSucceeded += 1;
      else if (attempt.status === 'failed') counters.sendsFailed += 1;
      else counters.sendsFatal += 1;
    }
    return { recorded: finished.length, handedBack };
  }

  /** One send; null when the shutdown grace ran out before it started or while it was in flight. */
  private async sendOne({ message, attempt }: UpstreamAttempt): Promise<FinishedAttempt | null> {
    const { grace, clock, cloud, envelope, pause } = this.deps;
    if (grace.isOver) return null;
    await this.waitForPause();
    if (grace.isOver) return null;
    const startedAt = clock.now();
    const attemptOf = (
      ended: Pick<FinishedAttempt, 'status' | 'error'> & { retryAfterMs?: number | null },
    ) => ({
      messageId: message.id,
      command: message.command,
      direction: MessageDirection.Upstream,
      attempt,
      data: message.data,
      startedAt,
      finishedAt: clock.now(),
      ...ended,
    });
    const call = (async () => {
      if (message.audience === null) throw new MissingAudienceError(message.id);
      const body = envelope.build(message, await cloud.tenantId());
      await cloud.send(message.command, message.audience, body);
    })();
    // Abandoned at shutdown, its late failure must not go unhandled.
    call.catch(() => undefined);
    try {
      if ((await grace.race(call)) === GRACE_OVER) {
        this.deps.logger.warn(
          messageLogLine(
            `Send of message ${message.id} (attempt ${attempt}) still in flight at the end of the shutdown grace: ` +
              'abandoned, it will be sent again',
            { messageId: message.id, command: message.command, attempt, correlationId: message.correlatedId },
          ),
        );
        return null;
      }
      return attemptOf({ status: 'succeeded', error: null });
    } catch (error) {
      const verdict = sendVerdict(error);
      if (verdict.retryAfterMs !== null) pause.note(verdict.retryAfterMs, clock.now().getTime());
      // Its log record for <ns>.logs comes with the recorded attempt (AttemptRecorder).
      this.deps.logger.warn(
        messageLogLine(
          `Send of message ${message.id} (${message.command}, attempt ${attempt}) ${verdict.status}: ${verdict.error}`,
          { messageId: message.id, command: message.command, attempt, correlationId: message.correlatedId },
        ),
      );
      return attemptOf(verdict);
    }
  }

  /** Waits out the cloud's Retry-After, at most `maxSendPauseMs`, cut short by the end of the shutdown grace. */
  private async waitForPause(): Promise<void> {
    const remaining = this.deps.pause.remainingMs(this.deps.clock.now().getTime());
    if (remaining <= 0) return;
    const wait = Math.min(remaining, this.deps.settings.maxSendPauseMs);
    if (wait <= 0) return;
    await this.deps.grace.race(this.sleep(wait));
  }
}

/** A sleep whose timer never keeps a stopping process alive. */
function unrefSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
