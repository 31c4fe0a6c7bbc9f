import { crashPoint, messageLogLine } from '@smartlink/common';
import { MAX_MESSAGE_ID_LENGTH } from '@smartlink/contract';
import {
  attemptStartedRecord,
  commandMessageCodec,
  missedStartDeadlineError,
  outcomeRecord,
  SmartLinkHeaders,
  type BatchContext,
  type ConsumedMessage,
  type EventRecord,
  type LogRecord,
  type MalformedEventError,
  type Outcome,
} from '@smartlink/messaging';
import { SegmentShutdownError } from '../errors/segment-shutdown-error';
import type { CommandRegistry } from '../handler/command-registry';
import type { SegmentMessage } from '../handler/segment-message';
import type { StdoutLogger } from '../logging/stdout-logger';
import type { SegmentStats } from '../stats/segment-stats';
import type { AttemptRunner } from './attempt-runner';
import type { Clock } from './clock';
import type { ConcurrencyLimiter, Release } from './concurrency-limiter';
import { attemptKey, type FinishedAttempt, type FinishedAttempts } from './finished-attempts';
import { splitInlineLogs } from './inline-logs';
import type { OutboxEntry, SegmentOutbox } from './segment-outbox';
import type { ShutdownGrace } from './shutdown-grace';
import { START_BUDGET_MS, type StartPace } from './start-pace';

/** How often the group coordinator hears from us while a chunk waits for slots (kafkajs throttles it further). */
export const CHUNK_HEARTBEAT_INTERVAL_MS = 1_000;

/** What {@link CommandChunkProcessor} works with; typed doubles in unit tests. */
export interface CommandChunkProcessorDeps {
  /** The log source, `segment:<name>`. */
  readonly source: string;
  /** This process (host or pod name and pid), named in started markers. */
  readonly instance: string;
  /** Added to the handler timeout for the outcome due time of a started attempt: the time to deliver the outcome. */
  readonly outcomeMarginMs: number;
  readonly handlerTimeoutMs: number;
  readonly registry: Pick<CommandRegistry, 'get'>;
  readonly outbox: Pick<SegmentOutbox, 'send'>;
  readonly runner: Pick<AttemptRunner, 'run'>;
  readonly finished: FinishedAttempts;
  readonly limiter: ConcurrencyLimiter;
  readonly grace: ShutdownGrace;
  readonly stats: SegmentStats;
  readonly stdout: StdoutLogger;
  readonly clock: Clock;
  /** How many records may be admitted ahead of a free slot, learnt from this segment's handlers. */
  readonly pace: StartPace;
  /** A monotonic clock in milliseconds, for handler durations (default `performance.now`). */
  readonly monotonicMs?: () => number;
}

/** One record of a group: with a slot, or admitted ahead of one (`ahead`), or needing none (a report). */
interface GroupEntry {
  readonly item: Item;
  readonly release?: Release;
  readonly ahead?: boolean;
}

/** One record of a chunk, read. */
type Item =
  | {
      readonly kind: 'run';
      readonly record: ConsumedMessage;
      readonly message: SegmentMessage;
      readonly alone: boolean;
      /** The attempt's start deadline (`smartlink-start-by`), when the record carries a readable one. */
      readonly startBy?: Date;
    }
  | { readonly kind: 'report'; readonly record: ConsumedMessage; readonly entry: OutboxEntry };

/** An attempt whose handler runs now. */
interface Running {
  readonly message: SegmentMessage;
  readonly startedAt: string;
  done: Promise<void>;
  /** Set once an outcome left for it (its own, or the shutdown's); a second one is dropped. */
  answered: boolean;
}

/**
 * Handles one chunk of records from the segment's command topics, in offset order: decodes them and starts each
 * (message id, attempt) through its handler with bounded concurrency. Before a handler runs, the attempt's started
 * marker is durable on `<ns>.outcomes` and the partition's offset past its record is committed, so a record whose
 * handler may have started is never delivered to the segment again: a handler that kills its process costs that one
 * attempt, which the executor counts from the marker. Records that start together (as many as slots are free) share
 * one marker send and one commit. The chunk resolves once all its records started, not finished; each attempt's
 * outcome, with its log lines inline, and replies (listed first) leave through the outbox as soon as it ends. Lines
 * past the outcome's bounds go to `<ns>.logs`, like lines logged after the outcome left.
 *
 * With fast handlers one round trip per `concurrency` records would bound the segment, so a group also admits records
 * ahead of the free slots, as many as the {@link StartPace} expects to start within half of {@link START_BUDGET_MS}:
 * their markers promise the outcome that much later, and each starts when a slot frees, in order. One still waiting
 * when its budget (or its start deadline) runs out is answered failed without running, and one waiting when shutdown
 * begins is answered failed at once: the executor retries both, and no attempt its sweep may count lost ever starts.
 *
 * A record carrying `smartlink-run-alone: true` (its previous attempt was lost while its handler ran) runs with
 * nothing beside it, so a poison message charges no bystander again: it waits for the records admitted ahead to start,
 * and nothing is admitted ahead while it waits.
 */
export class CommandChunkProcessor {
  /** Attempts running now, or admitted and waiting for a slot, so a redelivery racing the first delivery is not run twice. */
  private readonly inFlight = new Map<string, Running>();
  private readonly monotonicMs: () => number;
  /** Records admitted ahead of a slot (in their group's round trip, or waiting for the slot). */
  private ahead = 0;
  /** Calls waiting for {@link ahead} to reach 0. */
  private aheadDrained: Array<() => void> = [];
  /** A run-alone record waits for its exclusive slot: nothing is admitted ahead meanwhile. */
  private alonePending = 0;

  constructor(private readonly deps: CommandChunkProcessorDeps) {
    this.monotonicMs = deps.monotonicMs ?? (() => performance.now());
  }

  async process(
    records: readonly ConsumedMessage[],
    context: Pick<BatchContext, 'heartbeat' | 'commit'>,
  ): Promise<void> {
    const items = this.withoutSuperseded(records.map((record) => this.read(record)));
    const heartbeat = setInterval(() => {
      context.heartbeat().catch((error: unknown) => {
        this.deps.stdout.debug(`heartbeat failed (a rebalance may be under way): ${String(error)}`);
      });
    }, CHUNK_HEARTBEAT_INTERVAL_MS);
    try {
      for (let next = 0; next < items.length;) {
        next = await this.startGroup(items, next, context);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Handlers running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /**
   * Shutdown: waits for the running handlers until the grace is over, then answers each still running with a failed
   * outcome (the executor retries it) and waits for the outbox to carry it.
   */
  async drain(): Promise<number> {
    const { grace, clock } = this.deps;
    await Promise.race([Promise.all([...this.inFlight.values()].map((r) => r.done)), grace.over]);
    const cut = [...this.inFlight.values()].filter((r) => !r.answered);
    if (cut.length === 0) return 0;
    const now = clock().toISOString();
    const outcomes: Outcome[] = cut.map((r) => {
      r.answered = true;
      return {
        ...failedOutcome(
          r.message,
          'the segment shut down while the handler ran; the attempt is retried',
          now,
        ),
        startedAt: r.startedAt,
      };
    });
    await this.deps.outbox.send({ outcomes: outcomes.map(outcomeRecord) });
    return cut.length;
  }

  /**
   * Starts the records from `index` that can start now, as one group: takes a slot for each following record while
   * one is free, then admits records ahead of a slot while the pace allows (waiting for a slot for the first only when
   * neither can be had). Returns the index after the group.
   */
  private async startGroup(
    items: readonly Item[],
    index: number,
    context: Pick<BatchContext, 'commit'>,
  ): Promise<number> {
    const { limiter, grace } = this.deps;
    const group: GroupEntry[] = [];
    let next = index;
    // Records that need no handler ride along with the group.
    while (next < items.length && (items[next] as Item).kind === 'report')
      group.push({ item: items[next++] as Item });
    const first = items[next];
    if (first?.kind === 'run') {
      group.push(
        first.alone ? { item: first, release: await this.acquireAlone() } : await this.admitFirst(first),
      );
      next += 1;
      while (!first.alone && next < items.length) {
        const item = items[next] as Item;
        if (item.kind === 'run') {
          if (item.alone) break;
          const slot = limiter.tryAcquire();
          if (slot) group.push({ item, release: slot });
          else if (this.mayAdmitAhead()) group.push(this.admitAhead(item));
          else break;
        } else {
          group.push({ item });
        }
        next += 1;
      }
    }
    if (group.length === 0) return next;

    const startedAt = this.deps.clock();
    const runs: { message: SegmentMessage; entry: GroupEntry; startBy?: Date }[] = [];
    /** (id, attempt) starting in this group: a second copy (a producer retry writes one twice) is not run again. */
    const starting = new Set<string>();
    const outcomes: EventRecord[] = [];
    const logs: LogRecord[] = [];
    for (const entry of group) {
      const { item } = entry;
      if (item.kind === 'report') {
        outcomes.push(...(item.entry.outcomes ?? []));
        logs.push(...(item.entry.logs ?? []));
        continue;
      }
      const key = attemptKey(item.message.id, item.message.attempt);
      const answered = starting.has(key) ? this.copyInGroup(item.message) : this.answerKnown(item.message);
      if (answered) {
        this.giveBack(entry);
        outcomes.push(...(answered.outcomes ?? []));
        logs.push(...(answered.logs ?? []));
        continue;
      }
      const late = this.missedStartDeadline(item, startedAt);
      if (late) {
        this.giveBack(entry);
        outcomes.push(outcomeRecord(late));
        continue;
      }
      starting.add(key);
      runs.push({ message: item.message, entry, ...(item.startBy && { startBy: item.startBy }) });
      // A record admitted ahead of its slot may wait up to the start budget before its handler runs.
      const dueInMs =
        this.deps.handlerTimeoutMs + this.deps.outcomeMarginMs + (entry.ahead ? START_BUDGET_MS : 0);
      outcomes.push(
        attemptStartedRecord({
          messageId: item.message.id,
          attempt: item.message.attempt,
          status: 'started',
          startedAt: startedAt.toISOString(),
          outcomeDueBy: new Date(startedAt.getTime() + dueInMs).toISOString(),
          instance: this.deps.instance,
        }),
      );
    }
    const last = (group[group.length - 1] as GroupEntry).item.record;
    try {
      if (grace.hasBegun)
        throw new SegmentShutdownError('the segment is shutting down; unstarted records are handed back');
      // Both must be durable before a handler starts: the markers (so a handler that takes its process down is
      // charged its attempt) and the commit (past it the records never come back to the segment). Neither needs the
      // other, so they travel together: one round trip per group instead of two. Should only the commit land, the
      // records do not come back and their attempts end at the executor's dispatch deadline: retried, not lost.
      const marking =
        outcomes.length > 0 || logs.length > 0 ? this.deps.outbox.send({ outcomes, logs }) : undefined;
      await Promise.all([marking, context.commit(last.offset)]);
    } catch (error) {
      for (const run of runs) this.giveBack(run.entry);
      throw error;
    }
    for (const { message, entry, startBy } of runs) {
      if (entry.ahead) this.startWhenFree(message, startedAt, startBy);
      else this.start(message, entry.release as Release, startedAt.toISOString());
    }
    return next;
  }

  /** The first record of a group: a free slot, or admitted ahead of one, or else it waits for a slot. */
  private async admitFirst(item: Extract<Item, { kind: 'run' }>): Promise<GroupEntry> {
    const slot = this.deps.limiter.tryAcquire();
    if (slot) return { item, release: slot };
    if (this.mayAdmitAhead()) return this.admitAhead(item);
    return { item, release: await this.acquire(false) };
  }

  /** Whether one more record may be admitted ahead of a slot: within the pace, and never past a run-alone record. */
  private mayAdmitAhead(): boolean {
    return (
      this.alonePending === 0 &&
      !this.deps.limiter.exclusiveWaiting &&
      this.ahead < this.deps.pace.lookahead()
    );
  }

  private admitAhead(item: Item): GroupEntry {
    this.ahead += 1;
    return { item, ahead: true };
  }

  /** A group entry that will not run: its slot, or its place ahead, is given back. */
  private giveBack(entry: GroupEntry): void {
    entry.release?.();
    if (entry.ahead) this.leftAhead();
  }

  private leftAhead(): void {
    this.ahead -= 1;
    if (this.ahead === 0) this.aheadDrained.splice(0).forEach((wake) => wake());
  }

  /** Every slot, once the records admitted ahead have started (they were promised a start within the budget). */
  private async acquireAlone(): Promise<Release> {
    this.alonePending += 1;
    try {
      while (this.ahead > 0) await new Promise<void>((wake) => this.aheadDrained.push(wake));
      return await this.acquire(true);
    } finally {
      this.alonePending -= 1;
    }
  }

  /** A slot (all of them for a record that runs alone), unless shutdown begins first. */
  private async acquire(alone: boolean): Promise<Release> {
    const won = await this.slotUnlessShutdown(alone);
    if (won === undefined)
      throw new SegmentShutdownError('the segment is shutting down; unstarted records are handed back');
    return won;
  }

  /** A slot (all of them for a record that runs alone), or undefined once shutdown has begun or begins first. */
  private async slotUnlessShutdown(alone: boolean): Promise<Release | undefined> {
    const { limiter, grace, stats } = this.deps;
    if (grace.hasBegun) return undefined;
    const acquiring = alone ? limiter.acquireExclusive() : limiter.acquire();
    stats.recordWaiting(1);
    const won = await grace.unlessBegun(acquiring).finally(() => stats.recordWaiting(-1));
    // The slot may still come; give it straight back then.
    if (won === undefined) void acquiring.then((release) => release());
    return won;
  }

  /**
   * A redelivered (id, attempt) this process knows: finished already (its outcome is sent again, cheap and absorbed
   * by the executor) or running now (its own outcome will follow). Undefined when the handler is to run.
   */
  private answerKnown(message: SegmentMessage): OutboxEntry | undefined {
    const { finished, stats, stdout } = this.deps;
    const label = `${message.command} ${message.id} attempt ${message.attempt}`;
    const remembered = finished.get(message.id, message.attempt);
    if (remembered) {
      stats.recordDuplicate();
      stdout.debug(
        `${label}: redelivered; answered with the remembered ${remembered.outcome.status} outcome`,
      );
      return { outcomes: [outcomeRecord(remembered.outcome)] };
    }
    if (this.inFlight.has(attemptKey(message.id, message.attempt))) {
      stats.recordDuplicate();
      stdout.debug(`${label}: redelivered while it runs; its outcome follows when it ends`);
      return {};
    }
    return undefined;
  }

  /** A second copy of an (id, attempt) starting in the same group: its first copy's outcome answers both. */
  private copyInGroup(message: SegmentMessage): OutboxEntry {
    this.deps.stats.recordDuplicate();
    this.deps.stdout.debug(
      `${message.command} ${message.id} attempt ${message.attempt}: delivered twice in one chunk; runs once`,
    );
    return {};
  }

  /** Runs one started attempt that holds its slot; its outcome leaves through the outbox as soon as it ends. */
  private start(message: SegmentMessage, release: Release, startedAt: string): void {
    const running: Running = { message, startedAt, done: Promise.resolve(), answered: false };
    this.inFlight.set(attemptKey(message.id, message.attempt), running);
    running.done = this.execute(running, release);
  }

  /**
   * Runs an attempt admitted ahead of its slot once a slot frees, in the order admitted. Answered failed without
   * running should shutdown begin first, or should the slot come after its start budget or its start deadline.
   */
  private startWhenFree(message: SegmentMessage, admittedAt: Date, startBy: Date | undefined): void {
    const running: Running = {
      message,
      startedAt: admittedAt.toISOString(),
      done: Promise.resolve(),
      answered: false,
    };
    const key = attemptKey(message.id, message.attempt);
    this.inFlight.set(key, running);
    running.done = (async () => {
      const release = await this.slotUnlessShutdown(false).finally(() => this.leftAhead());
      if (release === undefined) {
        await this.answerUnstarted(
          running,
          'the segment shut down before the handler started; the attempt is retried',
        );
        return;
      }
      const missed = notStartedInTime(admittedAt, startBy, this.deps.clock());
      if (missed !== undefined) {
        release();
        this.reportNotStarted(message, missed);
        await this.answerUnstarted(running, missed);
        return;
      }
      await this.execute(running, release);
    })().finally(() => {
      if (this.inFlight.get(key) === running) this.inFlight.delete(key);
    });
  }

  /** Answers an admitted attempt that never ran with a failed outcome; the executor retries it. */
  private async answerUnstarted(running: Running, error: string): Promise<void> {
    if (running.answered) return;
    running.answered = true;
    const { message } = running;
    try {
      await this.deps.outbox.send({
        outcomes: [outcomeRecord(failedOutcome(message, error, this.deps.clock().toISOString()))],
      });
    } catch (failure) {
      this.deps.stdout.error(
        `${message.command} ${message.id} attempt ${message.attempt}: ${String(failure)}`,
      );
    }
  }

  /** Runs the handler of an attempt holding its slot, and sends its outcome. */
  private async execute(running: Running, release: Release): Promise<void> {
    const { registry, runner, finished, stats, grace, outbox } = this.deps;
    const { message } = running;
    const key = attemptKey(message.id, message.attempt);
    stats.recordRunning(1);
    const began = this.monotonicMs();
    let slotHeld = true;
    /** Frees the slot once the handler ended: `concurrency` bounds handlers, not outcomes on their way out. */
    const handlerEnded = () => {
      if (!slotHeld) return;
      slotHeld = false;
      stats.recordRunning(-1);
      this.deps.pace.ended(this.monotonicMs() - began);
      stats.recordPace(this.deps.pace.lookahead(), this.deps.pace.meanHandlerMs);
      release();
    };
    try {
      const result = await runner.run(registry.get(message.command), message, grace.signal);
      // Held through the outcome's send, the slot would cost every attempt a produce round trip of the
      // segment's throughput; the outcome is still awaited below, and shutdown waits for it (`inFlight`).
      handlerEnded();
      stats.recordHandled(message.command, result.outcome.status);
      const entry: FinishedAttempt = {
        command: message.command,
        outcome: result.outcome,
        unpublishedLogs: result.logs,
        unpublishedOutbound: result.outbound,
      };
      finished.remember(message.id, message.attempt, entry);
      if (running.answered) return;
      running.answered = true;
      crashPoint('segment.after-handler');
      // The attempt's log lines ride in its outcome; the executor writes them with the attempt's history row.
      const { inline, separate } = splitInlineLogs(message.id, result.logs);
      await outbox.send({
        outbound: result.outbound,
        outcomes: [outcomeRecord(inline.length > 0 ? { ...result.outcome, logs: inline } : result.outcome)],
        logs: separate,
      });
      entry.unpublishedLogs = [];
      entry.unpublishedOutbound = [];
      if (result.outbound.length > 0) stats.recordPublished(result.outbound.length);
    } catch (error) {
      this.deps.stdout.error(`${message.command} ${message.id} attempt ${message.attempt}: ${String(error)}`);
    } finally {
      handlerEnded();
      this.inFlight.delete(key);
    }
  }

  /**
   * The failed outcome of an attempt that reached this segment after its start deadline, or undefined when it may
   * start. Past the deadline the retry scheduler may count the attempt as failed before its started marker lands and
   * dispatch the next one: running it could run the handler twice for one message. Answering it failed at once also
   * gets the retry going sooner than the sweep would.
   */
  private missedStartDeadline(item: Extract<Item, { kind: 'run' }>, now: Date): Outcome | undefined {
    if (item.startBy === undefined || now.getTime() <= item.startBy.getTime()) return undefined;
    const error = missedStartDeadlineError(item.startBy, now);
    this.reportNotStarted(item.message, error);
    return failedOutcome(item.message, error, now.toISOString());
  }

  /** Counts and logs an attempt answered failed because it could not start in time. */
  private reportNotStarted(message: SegmentMessage, error: string): void {
    this.deps.stats.recordMissedStartDeadline();
    this.deps.stdout.warn(
      messageLogLine(`${message.command} ${message.id} attempt ${message.attempt}: ${error}`, {
        messageId: message.id,
        command: message.command,
        attempt: message.attempt,
      }),
    );
  }

  /**
   * An attempt followed in the same chunk by a later attempt of the same message is not run: the executor dispatches
   * attempt n+1 only once attempt n has ended (its outcome, or the sweep's verdict on a dispatch that took too long,
   * as after a broker outage when the backlog arrives late), so running the older one would only repeat the handler.
   * Its record is committed with the others; nothing answers it, because its attempt is already recorded.
   */
  private withoutSuperseded(items: readonly Item[]): Item[] {
    const latest = new Map<string, number>();
    for (const item of items) {
      if (item.kind === 'run')
        latest.set(item.message.id, Math.max(latest.get(item.message.id) ?? 0, item.message.attempt));
    }
    return items.map((item) => {
      if (item.kind !== 'run' || item.message.attempt >= (latest.get(item.message.id) ?? 0)) return item;
      this.deps.stats.recordSuperseded();
      const { message } = item;
      this.deps.stdout.debug(
        `${message.command} ${message.id} attempt ${message.attempt}: not run, attempt ` +
          `${latest.get(message.id)} of the same message follows in this chunk`,
      );
      return { kind: 'report', record: item.record, entry: {} };
    });
  }

  private read(record: ConsumedMessage): Item {
    const decoded = commandMessageCodec.decode(record);
    if (!decoded.ok) return { kind: 'report', record, entry: this.undecodable(record, decoded.error) };
    const startBy = Date.parse(record.headers[SmartLinkHeaders.startBy] ?? '');
    return {
      kind: 'run',
      record,
      message: decoded.value,
      alone: record.headers[SmartLinkHeaders.runAlone] === 'true',
      // A record without a readable deadline (from an executor before it) starts as before.
      ...(Number.isFinite(startBy) && { startBy: new Date(startBy) }),
    };
  }

  /**
   * A record that is not a readable command message. With a usable message id and attempt in its headers the
   * executor gets a fatal outcome (a retry would fail the same way) and dead-letters it; without them there is
   * nobody to answer, so it is only logged. Either way the chunk goes on.
   */
  private undecodable(record: ConsumedMessage, error: MalformedEventError): OutboxEntry {
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
    const log: LogRecord = {
      ...(messageId !== undefined && { messageId }),
      type: 2,
      message: text,
      debug: `headers: ${JSON.stringify(record.headers)}`,
      date: now,
      source,
    };
    return {
      outcomes: answered
        ? [
            outcomeRecord({
              messageId,
              attempt,
              status: 'fatal',
              error: text,
              startedAt: now,
              finishedAt: now,
            }),
          ]
        : [],
      logs: [log],
    };
  }
}

/**
 * Why an attempt admitted ahead of its slot at `admittedAt` may no longer start at `now` (past its start deadline, or
 * past the start budget its marker promised), or undefined when it may.
 */
function notStartedInTime(admittedAt: Date, startBy: Date | undefined, now: Date): string | undefined {
  if (startBy !== undefined && now.getTime() > startBy.getTime())
    return missedStartDeadlineError(startBy, now);
  if (now.getTime() <= admittedAt.getTime() + START_BUDGET_MS) return undefined;
  return (
    `not started: no handler slot freed within ${START_BUDGET_MS} ms of the record's admission ` +
    `(${admittedAt.toISOString()}); the attempt is retried`
  );
}

/** The failed outcome of an attempt that ended at `at` without its handler's answer. */
function failedOutcome(message: SegmentMessage, error: string, at: string): Outcome {
  return {
    messageId: message.id,
    attempt: message.attempt,
    status: 'failed',
    error,
    startedAt: at,
    finishedAt: at,
  };
}

function usableMessageId(value: string | undefined): string | undefined {
  return value !== undefined && value.length > 0 && value.length <= MAX_MESSAGE_ID_LENGTH ? value : undefined;
}

function usableAttempt(value: string | undefined): number | undefined {
  const attempt = value !== undefined && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined;
  return attempt;
}
