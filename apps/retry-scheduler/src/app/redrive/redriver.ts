import type { LoggerService } from '@nestjs/common';
import type { EventProducer, EventRecord, TopicNames } from '@smartlink/messaging';
import type { MessageEntity, MessageStore, RedriveFilter } from '@smartlink/rm-tables';
import type { Clock } from '@smartlink/common';
import type { RetrySchedulerCounters } from '../metrics/retry-scheduler-counters';
import { redrivenRecords } from '../records/scheduler-records';
import type { RedriveRequest } from './redrive-request';

/** What {@link Redriver} works with; narrow, so unit tests pass typed doubles. */
export interface RedriverDeps {
  readonly messages: Pick<MessageStore, 'redriveDead' | 'maxRedriveIds'>;
  readonly producer: Pick<EventProducer, 'sendBatch'>;
  readonly topics: Pick<TopicNames, 'events' | 'logs'>;
  readonly clock: Clock;
  readonly logger: LoggerService;
  /** Redriven messages fall due at most this many per second. */
  readonly ratePerSecond: number;
  /** The most messages one request puts back. */
  readonly maxPerRequest: number;
  /** The service's counters; the CLI has none. */
  readonly counters?: Pick<RetrySchedulerCounters, 'redriven'>;
}

/** What a redrive did. */
export interface RedriveResult {
  /** Messages put back, at most the request's limit. */
  readonly redriven: number;
  /** Their ids, in the order they fall due. */
  readonly ids: readonly string[];
  /** When the first and the last of them fall due; null when none was redriven. */
  readonly firstDueAt: string | null;
  readonly lastDueAt: string | null;
  /** True when the limit was reached: more dead messages may match; ask again. */
  readonly more: boolean;
}

/**
 * Puts dead messages back into execution for an operator — one by id, all of a command, or those that died in a time
 * window — at a bounded rate: the messages are taken in slices, and each slice falls due one slice-interval after the
 * previous one (`DATATENTATIVAEXEC`), so the due loop hands them to the segments (or the cloud) at no more than
 * `ratePerSecond`, and a redrive of thousands never floods a segment that just recovered. The request itself returns
 * as soon as the rows are updated. Each message gets a fresh attempt budget with its attempt numbers going on, and its
 * redrive is recorded: a `redriven` event with who and why, an info log in GTOTVSLINKLOG, and a summary line on stdout.
 * The HTTP endpoint and the CLI both run this.
 */
export class Redriver {
  constructor(private readonly deps: RedriverDeps) {}

  async redrive(request: RedriveRequest): Promise<RedriveResult> {
    const { messages, clock, ratePerSecond, maxPerRequest } = this.deps;
    const limit = Math.min(request.limit ?? maxPerRequest, maxPerRequest);
    // Slices of a tenth of a second's worth: fine-grained pacing at few statements.
    const sliceSize = Math.max(1, Math.floor(ratePerSecond / 10));
    const sliceMs = (sliceSize * 1_000) / ratePerSecond;
    const start = clock.now();
    const redriven: MessageEntity[] = [];
    const idChunks = request.ids ? chunks(request.ids, messages.maxRedriveIds) : [undefined];

    let slice = 0;
    for (const ids of idChunks) {
      const filter: RedriveFilter = {
        ...(ids === undefined ? {} : { ids }),
        ...(request.command === undefined ? {} : { command: request.command }),
        ...(request.deadFrom === undefined ? {} : { deadFrom: request.deadFrom }),
        ...(request.deadBefore === undefined ? {} : { deadBefore: request.deadBefore }),
      };
      for (;;) {
        const wanted = Math.min(sliceSize, limit - redriven.length);
        if (wanted <= 0) break;
        const now = clock.now();
        const dueAt = new Date(Math.max(now.getTime(), start.getTime() + Math.round(slice * sliceMs)));
        const rows = await messages.redriveDead({ ...filter, limit: wanted, dueAt, now });
        if (rows.length === 0) break;
        slice += 1;
        redriven.push(...rows);
        if (this.deps.counters) this.deps.counters.redriven += rows.length;
        await this.announce(rows, request, now).catch((error: unknown) => {
          // The rows are back in execution; at least stdout keeps who put them back.
          this.deps.logger.error(
            `Redrive by ${request.by} (${request.via}) put back ${redriven.length} message(s) but could not ` +
              `publish their redriven events and logs; the redrive stopped there: ${redriven.map((r) => r.id).join(', ')}`,
          );
          throw error;
        });
        if (rows.length < wanted) break;
      }
    }

    const result: RedriveResult = {
      redriven: redriven.length,
      ids: redriven.map((row) => row.id),
      firstDueAt: redriven[0]?.nextAttemptAt?.toISOString() ?? null,
      lastDueAt: redriven.at(-1)?.nextAttemptAt?.toISOString() ?? null,
      more: redriven.length >= limit,
    };
    this.deps.logger.log(
      `Redrive by ${request.by} (${request.via}) at ${start.toISOString()}` +
        `${request.reason === null ? '' : `, reason: ${request.reason}`}, of ${describe(request)}: ` +
        `${result.redriven} dead message(s) put back${result.redriven > 0 ? `, due ${result.firstDueAt} to ${result.lastDueAt}` : ''}` +
        `${result.more ? '; the limit was reached, more may match' : ''}`,
    );
    return result;
  }

  /**
   * The `redriven` events and logs of one slice, published before the next slice is taken. A slice due at once may be
   * claimed before this publish lands, so on the event log a `redriven` can follow the `retry-due` of the same message;
   * its `at` is the time of the redrive, which is what the audit needs.
   */
  private async announce(rows: readonly MessageEntity[], request: RedriveRequest, now: Date): Promise<void> {
    const events: EventRecord[] = [];
    const logs: EventRecord[] = [];
    for (const row of rows) {
      const records = redrivenRecords(row, request, now);
      events.push(records.event);
      logs.push(records.log);
    }
    await this.deps.producer.sendBatch([
      { topic: this.deps.topics.events, records: events },
      { topic: this.deps.topics.logs, records: logs },
    ]);
  }
}

/** The request's filters in words, for the summary line. */
function describe(request: RedriveRequest): string {
  const parts: string[] = [];
  if (request.ids) parts.push(`${request.ids.length} id(s)`);
  if (request.command !== undefined) parts.push(`command ${request.command}`);
  if (request.deadFrom !== undefined || request.deadBefore !== undefined) {
    parts.push(
      `dead from ${request.deadFrom?.toISOString() ?? 'the beginning'} to ${request.deadBefore?.toISOString() ?? 'now'}`,
    );
  }
  return parts.join(', ');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
