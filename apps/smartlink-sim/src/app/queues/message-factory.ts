import { randomUUID } from 'node:crypto';
import { decodeUtf8KeepingInvalidBytes, type EnvelopeStyle, type JsonValue } from '@smartlink/contract';
import type { PublishItem } from './queue-registry';
import { SimEnvelope } from './sim-envelope';

/** A structured message in CloudEvents style, as the admin API takes it. */
export interface CloudEventsMessageSpec {
  readonly style: 'cloudevents';
  readonly type: string;
  readonly data: JsonValue;
  readonly id?: string;
  readonly correlationId?: string | null;
  readonly source?: string | null;
}

/** A structured message in TOTVS style, as the admin API takes it. */
export interface TotvsMessageSpec {
  readonly style: 'totvs';
  readonly type: string;
  readonly content: JsonValue;
  readonly transactionId?: string;
  readonly correlationId?: string | null;
}

/** A body published as given, to inject malformed, oversize or illegal messages; `type` routes it if given. */
export interface RawMessageSpec {
  readonly raw: string;
  readonly type?: string;
}

/**
 * A body published as bytes, to put invalid UTF-8 on the wire. It is queued as text with each byte that is not UTF-8
 * kept as a lone surrogate (`decodeUtf8KeepingInvalidBytes`), which `RawBytesResponder` turns back into the byte.
 */
export interface RawBytesMessageSpec {
  readonly rawBase64: string;
  readonly type?: string;
}

export type MessageSpec = CloudEventsMessageSpec | TotvsMessageSpec | RawMessageSpec | RawBytesMessageSpec;

/** A publish item and the id a client following the contract will give the message. */
export interface BuiltMessage {
  readonly item: PublishItem & { readonly messageId: string };
  /** CloudEvents `id` for CloudEvents envelopes, else the broker message id (see CloudMessage.id). */
  readonly id: string;
}

/** Turns admin and demo message specs into envelopes ({@link SimEnvelope}) published by the simulated broker. */
export class MessageFactory {
  static build(tenantId: string, spec: MessageSpec, now: Date): BuiltMessage {
    const messageId = randomUUID();
    if ('raw' in spec) return { item: { body: spec.raw, type: spec.type ?? null, messageId }, id: messageId };
    if ('rawBase64' in spec) {
      const body = decodeUtf8KeepingInvalidBytes(Buffer.from(spec.rawBase64, 'base64'));
      return { item: { body, type: spec.type ?? null, messageId }, id: messageId };
    }
    if (spec.style === 'cloudevents') {
      const id = spec.id ?? messageId;
      const body = SimEnvelope.cloudEvents({
        id,
        type: spec.type,
        tenantId,
        data: spec.data,
        time: now,
        source: spec.source ?? 'smartlink-sim',
        correlationId: spec.correlationId ?? null,
      });
      return { item: { body, type: spec.type, messageId }, id };
    }
    const body = SimEnvelope.totvs({
      type: spec.type,
      tenantId,
      content: spec.content,
      generatedOn: now,
      transactionId: spec.transactionId ?? null,
      correlationId: spec.correlationId ?? null,
    });
    return { item: { body, type: spec.type, messageId }, id: messageId };
  }

  /** A synthetic message whose payload pads the envelope to about `payloadBytes`, for load and demo traffic. */
  static synthetic(
    tenantId: string,
    options: { type: string; style: EnvelopeStyle; payloadBytes: number; seq: number },
    now: Date,
  ): BuiltMessage {
    const payload = { seq: options.seq, text: 'x'.repeat(Math.max(0, options.payloadBytes)) };
    const spec: MessageSpec =
      options.style === 'cloudevents'
        ? { style: 'cloudevents', type: options.type, data: payload }
        : { style: 'totvs', type: options.type, content: payload };
    return MessageFactory.build(tenantId, spec, now);
  }
}
