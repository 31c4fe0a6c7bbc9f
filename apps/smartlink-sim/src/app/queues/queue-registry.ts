import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import type { SentEnvelope } from '../link/sent-envelope';
import { SIM_SETTINGS, type SimSettings } from '../settings/sim-settings';
import { BoundedLog } from './bounded-log';
import { TenantQueue, type TakenMessage, type TenantQueueStats } from './tenant-queue';

/** How many acked, sent and get records the admin API keeps (counts stay exact beyond it). */
export const MAX_LOG_ENTRIES = 100_000;

/** A message to publish to a tenant. */
export interface PublishItem {
  readonly body: string;
  /** Message type used for routing; null when unknown (a raw body), which skips routing. */
  readonly type: string | null;
  /** Broker message id; a new UUID when absent. */
  readonly messageId?: string;
}

/** Where a published message went: into the queue, or nowhere because no binding matched. */
export type PublishStatus = 'queued' | 'unrouted';

/** One acked delivery, for the admin API. */
export interface AckRecord {
  readonly messageId: string;
  readonly receipt: string;
  readonly deliveryCount: number;
  readonly ackedAt: string;
}

/**
 * One get the link API answered, for the admin API: which token asked (its `jti`; every client process fetches its
 * own token, so tests can tell replicas apart) and how many messages it handed out, 0 included.
 */
export interface GetRecord {
  readonly tenantId: string;
  readonly tokenId: string;
  readonly messages: number;
  readonly at: string;
}

/** One message the client sent up, for the admin API. */
export interface SentRecord {
  readonly tenantId: string;
  readonly type: string;
  readonly audience: string;
  /** The body as parsed JSON, and exactly as received. */
  readonly body: unknown;
  readonly bodyText: string;
  /** The envelope as the simulated cloud read it; null when the body is neither style. */
  readonly envelope: SentEnvelope | null;
  /** Request headers, with the bearer token redacted. */
  readonly headers: Readonly<Record<string, string>>;
  readonly sentAt: string;
  /** False when the tenant queue was never set up: the cloud accepts such a send and loses it ([C S11]). */
  readonly queueSetUp: boolean;
}

/** Counters of one tenant, for the admin API. */
export interface TenantStats extends TenantQueueStats {
  readonly setUp: boolean;
  readonly subscriptions: readonly string[];
  /** Published messages no binding routed to the queue (lost, as on the real broker). */
  readonly unrouted: number;
  readonly sent: number;
}

interface TenantState {
  readonly queue: TenantQueue;
  readonly acks: BoundedLog<AckRecord>;
  subscriptions: ReadonlySet<string>;
  setUp: boolean;
  unrouted: number;
  sent: number;
}

/**
 * The simulated broker: one queue per tenant, bound by setup to the message types it subscribes to. A message
 * published with a type is routed only to a set-up queue subscribed to that type and is otherwise lost, as the
 * cloud's `link-input` exchange routes by binding (smartlink-domain.md §1.1, §1.5: "setup de comandos" binds the
 * types [C S1/P1, binding I]; an un-set-up queue loses messages [C S11]). Raw bodies without a type, and
 * publishes marked direct, go straight into the queue (creating it), for tests that inject broken messages.
 */
@Injectable()
export class QueueRegistry {
  private readonly tenants = new Map<string, TenantState>();
  private sentLog = new BoundedLog<SentRecord>(MAX_LOG_ENTRIES);
  private getLog = new BoundedLog<GetRecord>(MAX_LOG_ENTRIES);
  private visibilityTimeoutMs: number;
  // Receipts carry a per-boot prefix so a receipt from an earlier run can never match a delivery of this one.
  private readonly receiptPrefix = randomBytes(4).toString('hex');
  private receiptSeq = 0;

  constructor(
    @Inject(SIM_SETTINGS) private readonly settings: SimSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.visibilityTimeoutMs = settings.SIM_VISIBILITY_TIMEOUT_MS;
  }

  /** Changes the visibility timeout of deliveries made from now on. */
  setVisibilityTimeout(ms: number): void {
    this.visibilityTimeoutMs = ms;
  }

  getVisibilityTimeout(): number {
    return this.visibilityTimeoutMs;
  }

  /** Binds exactly these types to the tenant queue, replacing earlier bindings, and marks it set up. */
  setup(tenantId: string, subscriptions: readonly string[]): void {
    const state = this.state(tenantId);
    state.subscriptions = new Set(subscriptions);
    state.setUp = true;
  }

  publish(
    tenantId: string,
    items: readonly PublishItem[],
    direct: boolean,
  ): { messageId: string; status: PublishStatus }[] {
    const now = this.clock.now();
    const existing = this.tenants.get(tenantId);
    return items.map((item) => {
      const messageId = item.messageId ?? randomUUID();
      const routed =
        direct || item.type === null || (existing?.setUp === true && existing.subscriptions.has(item.type));
      if (!routed) {
        if (existing) existing.unrouted++;
        else this.state(tenantId).unrouted++;
        return { messageId, status: 'unrouted' as const };
      }
      this.state(tenantId).queue.enqueue({
        id: messageId,
        body: item.body,
        enqueuedAt: now,
        deliveryCount: 0,
        receipt: null,
      });
      return { messageId, status: 'queued' as const };
    });
  }

  /** Hands out up to `max` messages; a get with the `jti` of its token is recorded (see {@link gets}). */
  take(tenantId: string, max: number, tokenId?: string): TakenMessage[] {
    const now = this.clock.now();
    const taken = this.tenants.get(tenantId)?.queue.take(max, now) ?? [];
    if (tokenId !== undefined) {
      this.getLog.append({ tenantId, tokenId, messages: taken.length, at: new Date(now).toISOString() });
    }
    return taken;
  }

  ack(tenantId: string, receipts: readonly string[]): { acked: number; ignored: number } {
    const state = this.tenants.get(tenantId);
    if (!state) return { acked: 0, ignored: receipts.length };
    const now = this.clock.now();
    const { acked, ignored } = state.queue.ack(receipts, now);
    const ackedAt = new Date(now).toISOString();
    for (const { message, receipt } of acked) {
      state.acks.append({ messageId: message.id, receipt, deliveryCount: message.deliveryCount, ackedAt });
    }
    return { acked: acked.length, ignored };
  }

  recordSend(record: Omit<SentRecord, 'queueSetUp' | 'sentAt'>): SentRecord {
    const state = this.tenants.get(record.tenantId);
    const full: SentRecord = {
      ...record,
      sentAt: new Date(this.clock.now()).toISOString(),
      queueSetUp: state?.setUp === true,
    };
    if (state) state.sent++;
    else this.state(record.tenantId).sent++;
    this.sentLog.append(full);
    return full;
  }

  acked(tenantId: string): { total: number; entries: AckRecord[] } {
    const state = this.tenants.get(tenantId);
    return { total: state?.acks.total ?? 0, entries: state?.acks.list() ?? [] };
  }

  sent(tenantId?: string): { total: number; entries: SentRecord[] } {
    const entries = this.sentLog.list().filter((r) => tenantId === undefined || r.tenantId === tenantId);
    return {
      total: tenantId === undefined ? this.sentLog.total : (this.tenants.get(tenantId)?.sent ?? 0),
      entries,
    };
  }

  /** The gets answered (of one tenant, or all), oldest first; the list keeps the latest 100,000. */
  gets(tenantId?: string): { total: number; entries: GetRecord[] } {
    const entries = this.getLog.list().filter((r) => tenantId === undefined || r.tenantId === tenantId);
    return { total: tenantId === undefined ? this.getLog.total : entries.length, entries };
  }

  stats(): Record<string, TenantStats> {
    const now = this.clock.now();
    const result: Record<string, TenantStats> = {};
    for (const [tenantId, state] of this.tenants) {
      result[tenantId] = {
        ...state.queue.stats(now),
        setUp: state.setUp,
        subscriptions: [...state.subscriptions].sort(),
        unrouted: state.unrouted,
        sent: state.sent,
      };
    }
    return result;
  }

  /** Forgets every queue, binding, message and record, and restores the visibility timeout setting. */
  reset(): void {
    this.tenants.clear();
    this.sentLog = new BoundedLog<SentRecord>(MAX_LOG_ENTRIES);
    this.getLog = new BoundedLog<GetRecord>(MAX_LOG_ENTRIES);
    this.visibilityTimeoutMs = this.settings.SIM_VISIBILITY_TIMEOUT_MS;
  }

  private state(tenantId: string): TenantState {
    let state = this.tenants.get(tenantId);
    if (!state) {
      state = {
        queue: new TenantQueue(
          () => this.visibilityTimeoutMs,
          () => `${this.receiptPrefix}.${(this.receiptSeq++).toString(36)}`,
        ),
        acks: new BoundedLog<AckRecord>(MAX_LOG_ENTRIES),
        subscriptions: new Set(),
        setUp: false,
        unrouted: 0,
        sent: 0,
      };
      this.tenants.set(tenantId, state);
    }
    return state;
  }
}
