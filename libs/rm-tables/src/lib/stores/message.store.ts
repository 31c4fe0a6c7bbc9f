import { In, Not, type DataSource } from 'typeorm';
import type { MessageDirection } from '../entities/message-direction';
import { MessageStatus } from '../entities/message-status';
import { MessageEntity, type NewMessage } from '../entities/message.entity';
import { rmSqlDialectOf } from '../sql/create-rm-sql-dialect';
import {
  FAILED_ATTEMPT_COLUMNS,
  MESSAGE_COLUMNS,
  SETTLED_FAILURE_COLUMNS,
  STARTED_MARKER_COLUMNS,
} from '../sql/rm-rows';
import type {
  ClaimDueInput,
  ClaimOverdueStartedInput,
  ClaimTimedOutInput,
  ClaimUnplannedInput,
  FailedAttemptUpdate,
  MarkStartedInput,
  RedriveDeadInput,
  ReleaseClaimsInput,
  RmSqlDialect,
  SettledFailure,
} from '../sql/rm-sql-dialect';
import { assertLimit, batches, compareText, inKeyOrder, uniqueBy } from './batches';
import { RmStatementRunner } from './rm-statement-runner';

/**
 * `GTOTVSLINKMESSAGE`: messages not yet done. Writers insert them (the message id absorbs redeliveries), claimers
 * take due and timed-out ones without ever sharing a row, and a success deletes the row.
 */
export class MessageStore {
  private readonly runner: RmStatementRunner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: RmSqlDialect = rmSqlDialectOf(dataSource.options),
  ) {
    this.runner = new RmStatementRunner(dataSource);
  }

  /**
   * Inserts messages whose id is not stored yet and returns the ids it wrote, in id order: a redelivered message
   * (same id, stored earlier or earlier in this batch) is skipped and left out of the result.
   */
  async insertIgnoringDuplicates(messages: readonly NewMessage[]): Promise<string[]> {
    const rows = inKeyOrder(
      uniqueBy(messages, (m) => m.id),
      (a, b) => compareText(a.id, b.id),
    );
    const inserted: string[] = [];
    for (const batch of batches(rows, this.dialect.rowsPerStatement(MESSAGE_COLUMNS.length))) {
      const { records } = await this.runner.run('insert messages', this.dialect.insertMessages(batch));
      inserted.push(...records.map((r) => String(r['ID'])));
    }
    return inserted.sort(compareText);
  }

  /**
   * Takes up to `limit` messages due at `now` (pending or waiting retry, `DATATENTATIVAEXEC <= now`), marks them
   * dispatched and returns them, oldest due first. Another claimer running at the same time gets other rows.
   */
  async claimDue(input: ClaimDueInput): Promise<MessageEntity[]> {
    assertLimit(input.limit);
    if (input.limit === 0) return [];
    const { records } = await this.runner.run('claim due messages', this.dialect.claimDue(input));
    // OUTPUT and RETURNING carry no order: restore the one the claim selected by.
    return this.runner
      .hydrate(MessageEntity, records)
      .sort((a, b) => time(a.nextAttemptAt) - time(b.nextAttemptAt) || compareText(a.id, b.id));
  }

  /**
   * Takes up to `limit` stalled messages — dispatched before `dispatchedBefore` and never given an outcome, or stored
   * pending before it and never handed over (no `DATATENTATIVAEXEC`) — renews their
   * `DATAATUALIZACAO` to `now` (so no other claimer takes them meanwhile) and returns them, oldest first, so the
   * caller can record the lost attempt as failed.
   */
  async claimTimedOut(input: ClaimTimedOutInput): Promise<MessageEntity[]> {
    assertLimit(input.limit);
    if (input.limit === 0) return [];
    const { records } = await this.runner.run('claim timed-out messages', this.dialect.claimTimedOut(input));
    return this.runner
      .hydrate(MessageEntity, records)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id));
  }

  /**
   * Applies started markers: each message still at the attempt before the marker's, pending or dispatched, records
   * the start (`DATAATUALIZACAO`) and the outcome due time (`DATATENTATIVAEXEC`). A marker of an attempt that moved
   * on (finished, swept, redelivered late) changes nothing. One statement per batch the parameter limit allows.
   * Returns the ids changed, in id order, each once.
   *
   * Several markers of one message apply as they would one after the other: a marker leaves `TENTATIVAS` as it is,
   * so only the one whose attempt is `TENTATIVAS` + 1 matches, wherever the split falls. The same attempt named
   * twice (a redelivered marker) keeps the later one's times, as applying both in turn would.
   */
  async markStarted(markers: readonly MarkStartedInput[]): Promise<string[]> {
    const latest = new Map<string, MarkStartedInput>();
    for (const marker of markers) latest.set(`${marker.attempt} ${marker.id}`, marker);
    // Id order (then attempt) keeps the row locks of overlapping batches in one order: see the dialects.
    const rows = inKeyOrder([...latest.values()], (a, b) => compareText(a.id, b.id) || a.attempt - b.attempt);
    const changed: string[] = [];
    for (const batch of batches(rows, this.dialect.rowsPerStatement(STARTED_MARKER_COLUMNS.length))) {
      const { records } = await this.runner.run('mark attempts started', this.dialect.markStarted(batch));
      changed.push(...records.map((r) => String(r['ID'])));
    }
    // Twice only if the row moved on to the next attempt between two statements of the split.
    return [...new Set(changed)].sort(compareText);
  }

  /**
   * Takes up to `limit` started attempts whose outcome was due before `now` (dispatched, `DATATENTATIVAEXEC` passed),
   * sets their due time to `reclaimAt` so no other claimer takes them meanwhile, and returns them, oldest due first;
   * `DATAATUALIZACAO` keeps the start. The caller records each attempt as lost during the handler.
   */
  async claimOverdueStarted(input: ClaimOverdueStartedInput): Promise<MessageEntity[]> {
    assertLimit(input.limit);
    if (input.limit === 0) return [];
    const { records } = await this.runner.run(
      'claim overdue started attempts',
      this.dialect.claimOverdueStarted(input),
    );
    return this.runner.hydrate(MessageEntity, records).sort((a, b) => compareText(a.id, b.id));
  }

  /**
   * Takes up to `limit` failed messages that were never planned (waiting retry, no `DATATENTATIVAEXEC`) and last
   * changed before `failedBefore`, renews their `DATAATUALIZACAO` to `now` and returns them, oldest first: the
   * `failed` event that should have planned them was lost (a crash between recording the failure and announcing it),
   * and the caller announces it again.
   */
  async claimUnplanned(input: ClaimUnplannedInput): Promise<MessageEntity[]> {
    assertLimit(input.limit);
    if (input.limit === 0) return [];
    const { records } = await this.runner.run('claim unplanned failures', this.dialect.claimUnplanned(input));
    return this.runner.hydrate(MessageEntity, records).sort((a, b) => compareText(a.id, b.id));
  }

  /**
   * Records a failed attempt on its message: status, `TENTATIVAS` = the attempt, next attempt time, last error.
   * Returns false when the message is gone or a later attempt was recorded already (a redelivered outcome).
   */
  async recordFailedAttempt(update: FailedAttemptUpdate): Promise<boolean> {
    const { affected } = await this.runner.run(
      'record failed attempt',
      this.dialect.recordFailedAttempt(update),
    );
    return affected > 0;
  }

  /**
   * {@link recordFailedAttempt} for several messages, in as few statements as the parameter limit allows. A message
   * named twice keeps its latest attempt (an earlier one would be ignored by the database anyway). Returns the ids of
   * the messages it changed, in id order: a message that is gone or has a later attempt recorded is left out.
   */
  async recordFailedAttempts(updates: readonly FailedAttemptUpdate[]): Promise<string[]> {
    const latest = new Map<string, FailedAttemptUpdate>();
    for (const update of updates) {
      const known = latest.get(update.id);
      if (!known || update.attempt > known.attempt) latest.set(update.id, update);
    }
    const rows = inKeyOrder([...latest.values()], (a, b) => compareText(a.id, b.id));
    const changed: string[] = [];
    for (const batch of batches(rows, this.dialect.rowsPerStatement(FAILED_ATTEMPT_COLUMNS.length))) {
      const { records } = await this.runner.run(
        'record failed attempts',
        this.dialect.recordFailedAttempts(batch),
      );
      changed.push(...records.map((r) => String(r['ID'])));
    }
    return changed.sort(compareText);
  }

  /**
   * Applies the retry scheduler's decisions on failed attempts: each row still at that attempt of its current budget
   * and not yet planned becomes waiting retry due at `nextAttemptAt`, or dead. A decision on a row that has moved on
   * (planned already, claimed, redriven, succeeded) changes nothing, so a redelivered event is harmless. A dead
   * decision also applies to a row dead already (a fatal outcome the executor recorded). Returns the rows changed,
   * in id order; a message named twice keeps its latest attempt.
   */
  async settleFailedAttempts(settlements: readonly SettledFailure[]): Promise<MessageEntity[]> {
    const latest = new Map<string, SettledFailure>();
    for (const settlement of settlements) {
      const known = latest.get(settlement.id);
      if (!known || settlement.attempt > known.attempt) latest.set(settlement.id, settlement);
    }
    const rows = inKeyOrder([...latest.values()], (a, b) => compareText(a.id, b.id));
    const changed: MessageEntity[] = [];
    for (const batch of batches(rows, this.dialect.rowsPerStatement(SETTLED_FAILURE_COLUMNS.length))) {
      const { records } = await this.runner.run(
        'settle failed attempts',
        this.dialect.settleFailedAttempts(batch),
      );
      changed.push(...this.runner.hydrate(MessageEntity, records));
    }
    return changed.sort((a, b) => compareText(a.id, b.id));
  }

  /**
   * Hands messages taken by {@link claimDue} back, waiting retry and still due, when their claim could not be passed
   * on (the event log was unreachable): the next claim takes them again instead of the dispatch timeout costing them
   * an attempt. Only rows still dispatched by that claim (`DATAATUALIZACAO` = `claimedAt`) are released. Returns the
   * ids released, in id order.
   */
  async releaseClaims(input: ReleaseClaimsInput): Promise<string[]> {
    const released: string[] = [];
    const sorted = inKeyOrder([...new Set(input.ids)], compareText);
    // Two more parameters (now, claimedAt) travel with the ids.
    for (const ids of batches(sorted, this.dialect.rowsPerStatement(1) - 2)) {
      const { records } = await this.runner.run(
        'release claimed messages',
        this.dialect.releaseClaims({ ...input, ids }),
      );
      released.push(...records.map((r) => String(r['ID'])));
    }
    return released.sort(compareText);
  }

  /**
   * Puts up to `limit` dead messages matching the filter back into execution, oldest death first: waiting retry,
   * due at `dueAt`, with a fresh attempt budget (`TENTATIVASBASE` = `TENTATIVAS`) and attempt numbers going on.
   * Two redrives at once never take the same row. Returns the rows redriven, in id order. Call again for the next
   * `limit`; an id list longer than {@link maxRedriveIds} is refused, the caller splits it.
   */
  async redriveDead(input: RedriveDeadInput): Promise<MessageEntity[]> {
    const { records } = await this.runner.run('redrive dead messages', this.dialect.redriveDead(input));
    return this.runner.hydrate(MessageEntity, records).sort((a, b) => compareText(a.id, b.id));
  }

  /** The most ids one {@link redriveDead} call takes (the database's parameter limit, less the other filters). */
  get maxRedriveIds(): number {
    return this.dialect.rowsPerStatement(1) - 6;
  }

  /**
   * Marks messages dispatched (`STATUS` 1, `DATAATUALIZACAO` = `now`) for the attempt handed over, each only while it
   * is still pending or waiting retry and its `TENTATIVAS` is below that attempt: a fast outcome recorded between the
   * publish and this call is never overwritten. Returns the ids it changed, in id order.
   */
  async markDispatched(dispatches: readonly DispatchedAttempt[], now: Date): Promise<string[]> {
    const byAttempt = new Map<number, string[]>();
    for (const { id, attempt } of uniqueBy(dispatches, (d) => d.id)) {
      const ids = byAttempt.get(attempt) ?? [];
      ids.push(id);
      byAttempt.set(attempt, ids);
    }
    const changed: string[] = [];
    for (const [attempt, ids] of byAttempt) {
      // Two more parameters (now, attempt) travel with the ids.
      for (const batch of batches(inKeyOrder(ids, compareText), this.dialect.rowsPerStatement(1) - 2)) {
        const statement = this.dialect.markDispatched({ ids: batch, attempt, now });
        const { records } = await this.runner.run('mark messages dispatched', statement);
        changed.push(...records.map((r) => String(r['ID'])));
      }
    }
    return changed.sort(compareText);
  }

  /** Deletes the messages that succeeded; returns how many rows were deleted. */
  async deleteSucceeded(ids: readonly string[]): Promise<number> {
    let deleted = 0;
    const sorted = inKeyOrder([...new Set(ids)], compareText);
    for (const batch of batches(sorted, this.dialect.rowsPerStatement(1))) {
      deleted += (await this.runner.run('delete succeeded messages', this.dialect.deleteMessages(batch)))
        .affected;
    }
    return deleted;
  }

  /**
   * How many messages are not done yet and not dead: the backlog the poller weighs against its high-water mark
   * before fetching more from the cloud.
   */
  async countUndone(): Promise<number> {
    const repository = this.dataSource.getRepository(MessageEntity);
    return this.runner.read('count undone messages', () =>
      repository.countBy({ status: Not(MessageStatus.Dead) }),
    );
  }

  /**
   * The messages not yet done, counted by direction, command and status, each group with the creation time of its
   * oldest message; ordered by direction, command, status. For operators (`cli status`): it reads the whole table,
   * which successes keep small.
   */
  async countByCommand(): Promise<MessageCount[]> {
    const { records } = await this.runner.run('count messages by command', this.dialect.countMessages());
    return records
      .map((r) => ({
        direction: Number(r['DIRECAO']) as MessageDirection,
        command: String(r['COMANDO']),
        status: Number(r['STATUS']) as MessageStatus,
        count: Number(r['TOTAL']),
        oldestCreatedAt: this.runner.hydrateValue(MessageEntity, 'createdAt', r['MAISANTIGA']) as Date,
      }))
      .sort((a, b) => a.direction - b.direction || compareText(a.command, b.command) || a.status - b.status);
  }

  /**
   * Direction and command of the messages among `ids` still stored, raw: no `DADOS`, no entity hydration. For the
   * hot path that needs to know what a message is, not what it carries (the outcome of an attempt).
   */
  async findOrigins(ids: readonly string[]): Promise<MessageOrigin[]> {
    const found: MessageOrigin[] = [];
    for (const batch of batches([...new Set(ids)], this.dialect.rowsPerStatement(1))) {
      const { records } = await this.runner.run('find message origins', this.dialect.selectOrigins(batch));
      for (const r of records) {
        found.push({
          id: String(r['ID']),
          direction: Number(r['DIRECAO']) as MessageDirection,
          command: String(r['COMANDO']),
        });
      }
    }
    return found;
  }

  /** Reads messages by id, in no particular order; missing ids are left out. */
  async findByIds(ids: readonly string[]): Promise<MessageEntity[]> {
    const repository = this.dataSource.getRepository(MessageEntity);
    const found: MessageEntity[] = [];
    for (const batch of batches([...new Set(ids)], this.dialect.rowsPerStatement(1))) {
      found.push(...(await this.runner.read('find messages', () => repository.findBy({ id: In(batch) }))));
    }
    return found;
  }
}

/** What a stored message is, without what it carries: {@link MessageStore.findOrigins}. */
export interface MessageOrigin {
  readonly id: string;
  readonly direction: MessageDirection;
  readonly command: string;
}

/** How many messages of one direction and command are in one status, and since when the oldest of them exists. */
export interface MessageCount {
  readonly direction: MessageDirection;
  readonly command: string;
  readonly status: MessageStatus;
  readonly count: number;
  /** `DATACRIACAO` of the oldest message in the group. */
  readonly oldestCreatedAt: Date;
}

/** One message handed over for one attempt, for {@link MessageStore.markDispatched}. */
export interface DispatchedAttempt {
  readonly id: string;
  /** The attempt handed over: `TENTATIVAS` + 1. */
  readonly attempt: number;
}

function time(date: Date | null): number {
  return date === null ? 0 : date.getTime();
}
