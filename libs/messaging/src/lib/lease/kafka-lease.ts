import { Logger, type LoggerService } from '@nestjs/common';
import type { Consumer, PartitionAssigner } from 'kafkajs';
import type { TopicAdmin, TopicSpec } from '../admin/topic-admin';
import { toKafkaError } from '../errors/to-kafka-error';
import type { StartupRetry } from '../startup/startup-retry';
import { everyInterval, leaveWithin, stuckMemberReason, type Every } from '../consumer/member-watch';
import { leaseAssigner } from './lease-assigner';

/**
 * Default session timeout of a lease group: a holder that stops heartbeating (crash, kill -9, network loss) is
 * replaced about this long after its last heartbeat. Kafka brokers refuse sessions under
 * `group.min.session.timeout.ms` (6 s by default).
 */
export const DEFAULT_LEASE_SESSION_TIMEOUT_MS = 10_000;

/**
 * A member the group coordinator has not been heard from for this many session timeouts (no join, no heartbeat), and
 * at least {@link MIN_REJOIN_AFTER_MS}, is replaced by a new member: see {@link KafkaLease}.
 */
export const REJOIN_AFTER_SESSIONS = 3;
export const MIN_REJOIN_AFTER_MS = 30_000;

/** Where a lease member stands: not started or stopped, joining its group, holding the lease, or standing by. */
export type LeaseState = 'stopped' | 'joining' | 'active' | 'standby';

/** Tuning of one lease; see `KafkaClient.createLease`. */
export interface KafkaLeaseOptions {
  /** How long the group waits for a silent member before handing its lease on. Default 10 s. */
  readonly sessionTimeoutMs?: number;
  /** Receives the lease's own log lines (taken, lost), each naming its context. Default: a Nest `Logger`. */
  readonly logger?: LoggerService;
  /** Clock in epoch ms; tests pass their own. */
  readonly now?: () => number;
  /**
   * How long without word from the group coordinator (no join, no heartbeat) before this member is replaced by a new
   * one. Default {@link REJOIN_AFTER_SESSIONS} session timeouts, at least {@link MIN_REJOIN_AFTER_MS}.
   */
  readonly rejoinAfterMs?: number;
  /** Schedules the check for that silence; tests pass their own. */
  readonly every?: Every;
}

/** The part of a kafkajs consumer a lease uses. */
export type LeaseConsumerPort = Pick<
  Consumer,
  'connect' | 'subscribe' | 'run' | 'disconnect' | 'on' | 'events'
>;

/** What a {@link KafkaLease} is built from; `KafkaClient.createLease` fills it in. */
export interface KafkaLeaseParts extends KafkaLeaseOptions {
  /** The consumer group the replicas join; also the lease's name in logs. */
  readonly groupId: string;
  /** The one-partition topic whose partition 0 is the lease. */
  readonly topic: TopicSpec;
  /** Creates the topic when missing; disconnected once it has. */
  readonly admin: Pick<TopicAdmin, 'ensureTopics' | 'disconnect'>;
  /** Retries the steps of {@link KafkaLease.start} while Kafka is not ready yet. */
  readonly startup: Pick<StartupRetry, 'run'>;
  /** Builds the group member with the lease's partition assigner. */
  readonly createConsumer: (assigner: PartitionAssigner) => LeaseConsumerPort;
}

/** Called with `true` when this member takes the lease and `false` when it loses it. Must not throw. */
export type LeaseListener = (held: boolean) => void;

/**
 * "Only one of us may do this": a lease built on Kafka group membership, so it needs nothing but the cluster the
 * services use anyway. Every replica joins one consumer group subscribed to a one-partition topic; the member
 * that is assigned partition 0 holds the lease. Kafka's group coordinator guarantees that at most one member of a
 * generation is assigned a partition, moves it when its holder leaves (at once on {@link stop}) or falls silent
 * (after the session timeout), and a sticky assignment keeps it with a healthy holder when standbys come and go.
 *
 * The lease is lost on a rebalance (until the new assignment is known), when kafkajs crashes or stops the member,
 * and when this member has not heard from the coordinator for half the session timeout: a holder cut off from
 * Kafka stops acting before the coordinator can give the lease to someone else.
 *
 * Why a brief overlap is still safe for the poller, the lease's first user: fencing by heartbeat narrows the
 * window in which two pollers both believe they hold the lease, but a paused process cannot be fenced to zero.
 * During such an overlap (1) the cloud hands each queued message to one `get` only, so two pollers never fetch
 * the same delivery; (2) a poller that lost Kafka cannot append to the event log and so never acks, and the cloud
 * redelivers after its visibility timeout; (3) a message that does arrive twice is absorbed downstream by its
 * message id (unique in GTOTVSLINKMESSAGE). The lease keeps the poller to one instance for economy and order,
 * not for correctness.
 *
 * A member can also fall silent without kafkajs saying so: after a rolling restart of a three-broker cluster, a
 * poller's lease member sent a JoinGroup, got "the coordinator is loading" and then did nothing for ten minutes (the
 * reliability suite's cluster case, 2026-12-07): no error, no crash, no retry, so the poller stood by for a lease
 * nobody held and polled nothing, while its readiness said "standby". So a member the coordinator has not been heard
 * from for `rejoinAfterMs` is replaced: this lease leaves the group with the old consumer (waiting at most one session
 * timeout for it) and joins with a new one, logging a warning each time, until the coordinator answers.
 */
export class KafkaLease {
  private readonly logger: LoggerService;
  private readonly now: () => number;
  private readonly sessionTimeoutMs: number;
  private readonly listeners = new Set<LeaseListener>();
  private readonly removeConsumerListeners: Array<() => void> = [];
  private consumer: LeaseConsumerPort | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private running = false;
  private member = false;
  /** Partition 0 was in this member's assignment at its last join, and nothing has taken it away since. */
  private assigned = false;
  /** This member held the lease in the generation it last joined: its claim at the next join. */
  private heldInGeneration = false;
  /** Last join or successful heartbeat: the last time the coordinator confirmed our membership. */
  private lastContactAt = 0;
  private notifiedHeld = false;
  private readonly rejoinAfterMs: number;
  private readonly every: Every;
  private stopWatchdog: (() => void) | null = null;
  /** Since when this member has been out of a generation (a rebalance, crash or stop) without joining again. */
  private unsettledSince: number | null = null;
  private rejoining: Promise<void> | null = null;

  /** @internal Use `KafkaClient.createLease()`. */
  constructor(private readonly parts: KafkaLeaseParts) {
    // Without a fixed context: every call names its own, as the kafkajs log forwarder does.
    this.logger = parts.logger ?? new Logger();
    this.now = parts.now ?? Date.now;
    this.sessionTimeoutMs = parts.sessionTimeoutMs ?? DEFAULT_LEASE_SESSION_TIMEOUT_MS;
    this.rejoinAfterMs =
      parts.rejoinAfterMs ?? Math.max(REJOIN_AFTER_SESSIONS * this.sessionTimeoutMs, MIN_REJOIN_AFTER_MS);
    this.every = parts.every ?? everyInterval;
  }

  /** The consumer group the replicas share. */
  get groupId(): string {
    return this.parts.groupId;
  }

  /**
   * Ensures the lease topic, joins the group and waits for the first assignment; after that kafkajs keeps the
   * membership in the background. Calling it again returns the same start. While the cluster is not ready, the
   * steps are tried again within KAFKA_STARTUP_RETRY_MS (`StartupRetry`); then, or on an error that is not
   * retriable, it throws a `KAFKA_*` error and the lease is stopped.
   */
  start(): Promise<void> {
    this.starting ??= this.join();
    return this.starting;
  }

  /**
   * True while this member holds the lease. Ask before each piece of work: the answer can change at any moment,
   * and turns false on its own when the coordinator has not been heard from for half the session timeout.
   */
  isHeld(): boolean {
    this.notifyIfChanged();
    return this.notifiedHeld;
  }

  /** Where this member stands, for readiness details and logs. */
  state(): LeaseState {
    if (!this.running) return 'stopped';
    if (!this.member) return 'joining';
    return this.isHeld() ? 'active' : 'standby';
  }

  /** Calls `listener` on every change of {@link isHeld}. Returns the function that removes it. */
  onChange(listener: LeaseListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Leaves the group and disconnects, so a standby is assigned the lease at once instead of after the session
   * timeout. Safe to call more than once, and before {@link start}.
   */
  stop(): Promise<void> {
    this.stopping ??= this.release();
    return this.stopping;
  }

  private async join(): Promise<void> {
    const { admin, topic, startup } = this.parts;
    const stopping = () => this.stopping !== null;
    try {
      await startup.run(`creating topics ${topic.name}`, () => admin.ensureTopics([topic]), stopping);
      await admin.disconnect();
      if (this.stopping) return;
      const consumer = this.parts.createConsumer(leaseAssigner(() => this.claimsLease()));
      this.consumer = consumer;
      this.listen(consumer);
      this.running = true;
      // Repeatable: kafkajs' connect returns at once when connected, and a failed subscribe left it not running.
      await startup.run(
        `joining lease group ${this.groupId}`,
        async () => {
          if (!this.stopping) await consumer.connect();
          if (!this.stopping) await consumer.subscribe({ topics: [topic.name], fromBeginning: false });
        },
        stopping,
      );
      // Nothing is ever written to the lease topic; the member only has to stay in its group.
      if (!this.stopping) await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
      // stop() came while joining: it may have disconnected before connect() reconnected.
      if (this.stopping) await consumer.disconnect().catch(() => undefined);
      else this.watchSilence();
    } catch (error) {
      if (this.stopping) return; // stop() disconnected the consumer under our feet; nothing failed
      await this.stop().catch(() => undefined);
      throw toKafkaError(error, `joining lease group ${this.groupId}`);
    }
  }

  /**
   * Checks, every half session, that the coordinator has been heard from within `rejoinAfterMs`, and that a member
   * that left its generation has joined a new one within it.
   */
  private watchSilence(): void {
    const now = this.now();
    this.lastContactAt = Math.max(this.lastContactAt, now);
    if (!this.member) this.unsettledSince ??= now;
    this.stopWatchdog = this.every(Math.max(1, Math.floor(this.sessionTimeoutMs / 2)), () => {
      if (this.rejoining || this.stopping) return;
      const reason = this.stuck();
      if (reason === null) return;
      this.rejoining = this.rejoin(reason).finally(() => {
        this.rejoining = null;
      });
    });
  }

  /** Why this member should be replaced, if it should. */
  private stuck(): string | null {
    return stuckMemberReason(
      this.now(),
      { lastContactAt: this.lastContactAt, unsettledSince: this.unsettledSince },
      this.rejoinAfterMs,
    );
  }

  /** Replaces a stuck member: leaves with the old consumer, joins with a new one. */
  private async rejoin(reason: string): Promise<void> {
    const { topic } = this.parts;
    this.logger.warn(
      `Lease ${this.groupId}: ${reason}; leaving the group and joining again as a new member`,
      KafkaLease.name,
    );
    const old = this.consumer;
    this.removeConsumerListeners.splice(0).forEach((remove) => remove());
    this.forget();
    // Both clocks count again from now: a join that fails or hangs is replaced in turn after rejoinAfterMs.
    this.lastContactAt = this.now();
    this.unsettledSince = this.now();
    await leaveWithin(old, this.sessionTimeoutMs);
    if (this.stopping) return;
    const consumer = this.parts.createConsumer(leaseAssigner(() => this.claimsLease()));
    this.consumer = consumer;
    this.listen(consumer);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic.name], fromBeginning: false });
      await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    } catch (error) {
      this.logger.error(
        `Lease ${this.groupId}: joining again failed (${toKafkaError(error, `joining lease group ${this.groupId}`).message}); ` +
          `trying again after ${this.rejoinAfterMs} ms without word from the coordinator`,
        KafkaLease.name,
      );
    }
    // stop() came while joining: it may have disconnected before connect() reconnected.
    if (this.stopping) await consumer.disconnect().catch(() => undefined);
  }

  // Not awaiting a join in progress: disconnecting ends it, and shutdown must not wait for a slow rebalance.
  private async release(): Promise<void> {
    this.stopWatchdog?.();
    this.stopWatchdog = null;
    this.running = false;
    this.forget();
    const consumer = this.consumer;
    this.consumer = null;
    try {
      await consumer?.disconnect();
    } catch (error) {
      throw toKafkaError(error, `leaving lease group ${this.groupId}`);
    } finally {
      this.removeConsumerListeners.splice(0).forEach((remove) => remove());
      await this.parts.admin.disconnect().catch(() => undefined);
    }
  }

  private listen(consumer: LeaseConsumerPort): void {
    const { events } = consumer;
    const topic = this.parts.topic.name;
    this.removeConsumerListeners.push(
      consumer.on(events.GROUP_JOIN, ({ payload }) => {
        this.member = true;
        this.unsettledSince = null;
        this.assigned = payload.memberAssignment[topic]?.includes(0) ?? false;
        this.heldInGeneration = this.assigned;
        this.lastContactAt = this.now();
        this.notifyIfChanged();
      }),
      consumer.on(events.HEARTBEAT, () => {
        this.lastContactAt = this.now();
        this.notifyIfChanged();
      }),
      // The assignment is void until the rejoin completes; the claim stays, so a healthy holder gets it back.
      consumer.on(events.REBALANCING, () => {
        this.assigned = false;
        this.unsettle();
        this.notifyIfChanged();
      }),
      // kafkajs may restart a crashed member; it then joins as a new member and makes no claim.
      consumer.on(events.CRASH, () => this.forget(true)),
      consumer.on(events.STOP, () => this.forget(true)),
      consumer.on(events.DISCONNECT, () => this.forget(true)),
    );
  }

  /** The member left its generation: a join must follow within `rejoinAfterMs`. */
  private unsettle(): void {
    this.unsettledSince ??= this.now();
  }

  private forget(unsettled = false): void {
    if (unsettled) this.unsettle();
    this.member = false;
    this.assigned = false;
    this.heldInGeneration = false;
    this.notifyIfChanged();
  }

  private inTouch(): boolean {
    return this.now() - this.lastContactAt < this.sessionTimeoutMs / 2;
  }

  private claimsLease(): boolean {
    return this.running && this.heldInGeneration && this.inTouch();
  }

  private notifyIfChanged(): void {
    const held = this.running && this.member && this.assigned && this.inTouch();
    if (held === this.notifiedHeld) return;
    this.notifiedHeld = held;
    this.logger.log(
      held
        ? `Lease ${this.groupId} taken: this instance is active`
        : `Lease ${this.groupId} released or lost: this instance is not active`,
      KafkaLease.name,
    );
    for (const listener of [...this.listeners]) {
      try {
        listener(held);
      } catch (error) {
        this.logger.error(
          `A listener of lease ${this.groupId} threw: ${error instanceof Error ? error.message : String(error)}`,
          KafkaLease.name,
        );
      }
    }
  }
}
