import type { SmartLinkTransport } from '@smartlink/contract';
import {
  lifecycleEventRecord,
  outboundMessageRecord,
  type ConsumedMessage,
  type OutboundMessage,
  type RetryDueEvent,
} from '@smartlink/messaging';
import { MessageDirection, MessageStatus, type MessageEntity } from '@smartlink/rm-tables';
import { CloudEnvelope } from '../../src/app/upstream/cloud-envelope';
import { consumed, storedRow, TOPICS, type Journal } from './downstream-doubles';

// Typed doubles for the unit tests of the upstream path: a cloud that records each send and answers as scripted.

/** What the cloud answers to a send of one message id: nothing (accepted), or an error thrown. */
export type CloudAnswer = Error | undefined;

/** The Smart Link cloud: records every send, answers from a script per message id, counts concurrent sends. */
export class CloudDouble implements Pick<SmartLinkTransport, 'send' | 'tenantId'> {
  readonly sends: { type: string; audience: string; body: Record<string, unknown> }[] = [];
  /** Answers per message id, used in order, one per send; an id without answers is accepted. */
  readonly answers = new Map<string, CloudAnswer[]>();
  /** When set, every send waits for it. */
  gate: Promise<void> | null = null;
  inFlight = 0;
  maxInFlight = 0;
  tenantError: Error | null = null;

  constructor(private readonly journal?: Journal) {}

  async tenantId(): Promise<string> {
    if (this.tenantError) throw this.tenantError;
    return 'tenant-of-token';
  }

  answer(messageId: string, ...answers: CloudAnswer[]): void {
    this.answers.set(messageId, answers);
  }

  async send(type: string, audience: string, body: string): Promise<void> {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const id = idOf(parsed);
    this.journal?.add(`cloud:send ${id}`);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      this.sends.push({ type, audience, body: parsed });
      const error = this.answers.get(id)?.shift();
      if (error) throw error;
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The ids sent, in order. */
  sentIds(): string[] {
    return this.sends.map((s) => idOf(s.body));
  }
}

/** The message id a send carries: TOTVS `header.transactionId`, or CloudEvents `id`. */
function idOf(body: Record<string, unknown>): string {
  return String((body['header'] as Record<string, unknown> | undefined)?.['transactionId'] ?? body['id']);
}

/** The executor's default envelope style. */
export const ENVELOPE = new CloudEnvelope('totvs', 'smartlink-client');

/** A consumed outbound record, as a segment publishes it. */
export function consumedOutbound(
  id: string,
  overrides: Partial<OutboundMessage> = {},
  timestamp = Date.parse('2026-11-28T10:00:00.000Z'),
): ConsumedMessage {
  const message: OutboundMessage = {
    command: 'DemoPong',
    audience: 'demo-app',
    data: `{"reply":"${id}"}`,
    ...overrides,
  };
  return { ...consumed(TOPICS.outbound, outboundMessageRecord(id, message)), timestamp };
}

/** A stored upstream row. */
export function upstreamRow(id: string, overrides: Partial<MessageEntity> = {}): MessageEntity {
  return storedRow(id, {
    direction: MessageDirection.Upstream,
    command: 'DemoPong',
    audience: 'demo-app',
    tenantId: 'tenant-of-token',
    data: `{"reply":"${id}"}`,
    status: MessageStatus.Pending,
    ...overrides,
  });
}

/** A `retry-due` event as the retry scheduler writes it. */
export function retryDue(messageId: string, overrides: Partial<RetryDueEvent> = {}): RetryDueEvent {
  return {
    type: 'retry-due',
    messageId,
    at: '2026-11-28T10:05:00.000Z',
    command: 'DemoPong',
    direction: 'upstream',
    attempt: 2,
    dueAt: '2026-11-28T10:04:59.000Z',
    ...overrides,
  };
}

/** A consumed `retry-due` event. */
export function consumedRetryDue(event: RetryDueEvent): ConsumedMessage {
  return consumed(TOPICS.events, lifecycleEventRecord(event));
}
