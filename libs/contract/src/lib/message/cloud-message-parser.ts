import type { z } from 'zod';
import { IllegalCommandNameError, parseCommandName } from '../command/command-name';
import { MalformedMessageError } from '../errors/malformed-message-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import type { WireDelivery } from '../wire/get-response';
import { CloudEventsEnvelopeSchema } from './cloud-events-envelope';
import type { CloudMessage, ReceivedMessage } from './cloud-message';
import { MessageIdSchema } from './envelope-fields';
import { malformedTextAt } from '../text/utf8-escaping';
import { jsonMemberSpans } from './json-member-spans';
import { TotvsEnvelopeSchema } from './totvs-envelope';

/** Options of {@link parseDelivery}. */
export interface ParseDeliveryOptions {
  /** Largest body accepted, in UTF-8 bytes (SMARTLINK_MAX_PAYLOAD_BYTES). */
  readonly maxPayloadBytes: number;
  /** Tenant of the queue (the token's tenant), used when the envelope does not name one. */
  readonly queueTenantId: string;
}

type Delivery = Pick<WireDelivery, 'receipt' | 'body'> & Partial<WireDelivery>;

function firstIssue(error: z.ZodError): MalformedMessageError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  return new MalformedMessageError(field, issue?.message ?? 'invalid');
}

/** The payload as text: a JSON string is unwrapped, anything else keeps its exact text. */
function payloadText(raw: string, key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const span = jsonMemberSpans(raw).get(key);
    if (span) return raw.slice(span.start, span.end);
  } catch {
    // The text already parsed as JSON, so this cannot happen; if it ever did, a re-serialised payload beats
    // failing the whole batch.
  }
  return JSON.stringify(value);
}

/**
 * The server's message id becomes our id when the envelope has none, so it must pass the same rule as envelope
 * ids (bounded, printable ASCII): it is a Kafka key and the primary key of GTOTVSLINKMESSAGE.
 */
function serverMessageId(delivery: Delivery): string | undefined {
  if (delivery.messageId === undefined) return undefined;
  const parsed = MessageIdSchema.safeParse(delivery.messageId);
  if (!parsed.success)
    throw new MalformedMessageError('messageId', parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

/** A type that is a string but no legal command name is refused as such, before any other check. */
function refuseIllegalType(type: unknown): void {
  if (typeof type === 'string') parseCommandName(type);
}

function fromCloudEvents(raw: string, json: object, delivery: Delivery, tenant: string): CloudMessage {
  refuseIllegalType((json as Record<string, unknown>)['type']);
  const parsed = CloudEventsEnvelopeSchema.safeParse(json);
  if (!parsed.success) throw firstIssue(parsed.error);
  const envelope = parsed.data;
  if (!('data' in envelope) || envelope['data'] === undefined) {
    throw new MalformedMessageError('data', 'missing');
  }
  const id = envelope.id ?? serverMessageId(delivery);
  if (!id) throw new MalformedMessageError('id', 'missing, and the server gave no message id');
  return {
    id,
    command: envelope.type,
    tenantId: envelope.tenantid ?? envelope.tenantId ?? tenant,
    correlatedId: envelope.correlationid ?? null,
    data: payloadText(raw, 'data', envelope['data']),
    source: envelope.source ?? null,
    occurredAt: envelope.time ?? null,
    envelope: 'cloudevents',
    receipt: delivery.receipt,
    deliveryCount: delivery.deliveryCount ?? null,
    enqueuedAt: delivery.enqueuedAt ?? null,
  };
}

function fromTotvs(raw: string, json: object, delivery: Delivery, tenant: string): CloudMessage {
  const rawHeader = (json as Record<string, unknown>)['header'];
  if (typeof rawHeader === 'object' && rawHeader !== null) {
    refuseIllegalType((rawHeader as Record<string, unknown>)['type']);
  }
  const parsed = TotvsEnvelopeSchema.safeParse(json);
  if (!parsed.success) throw firstIssue(parsed.error);
  const { header } = parsed.data;
  if (!('content' in parsed.data) || parsed.data['content'] === undefined) {
    throw new MalformedMessageError('content', 'missing');
  }
  const id = serverMessageId(delivery) ?? header.transactionId;
  if (!id)
    throw new MalformedMessageError('header.transactionId', 'missing, and the server gave no message id');
  return {
    id,
    command: header.type,
    tenantId: header.tenantId ?? tenant,
    correlatedId: header.correlationId ?? header.correlatedId ?? null,
    data: payloadText(raw, 'content', parsed.data['content']),
    source: null,
    occurredAt: header.generatedOn ?? null,
    envelope: 'totvs',
    receipt: delivery.receipt,
    deliveryCount: delivery.deliveryCount ?? null,
    enqueuedAt: delivery.enqueuedAt ?? null,
  };
}

function toCloudMessage(delivery: Delivery, options: ParseDeliveryOptions): CloudMessage {
  const size = Buffer.byteLength(delivery.body, 'utf8');
  if (size > options.maxPayloadBytes) throw new PayloadTooLargeError(size, options.maxPayloadBytes);
  const malformed = malformedTextAt(delivery.body);
  if (malformed) {
    throw new MalformedMessageError(
      'body',
      malformed.byte === null
        ? `not well-formed Unicode (a lone surrogate at character ${malformed.index})`
        : `not valid UTF-8 (byte 0x${malformed.byte.toString(16).toUpperCase()} at character ${malformed.index})`,
    );
  }
  // A UTF-8 byte order mark is legal at the start of a text but not of JSON.parse input.
  const raw = delivery.body.charCodeAt(0) === 0xfeff ? delivery.body.slice(1) : delivery.body;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new MalformedMessageError('body', 'not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MalformedMessageError('body', 'not a JSON object');
  }
  if ('specversion' in json) return fromCloudEvents(raw, json, delivery, options.queueTenantId);
  if ('header' in json) return fromTotvs(raw, json, delivery, options.queueTenantId);
  throw new MalformedMessageError(
    'body',
    'neither a CloudEvents (specversion) nor a TOTVS (header) envelope',
  );
}

/**
 * Turns one delivery into a {@link CloudMessage}, or into a refusal carrying the receipt, the raw text and a
 * non-retriable error: `PAYLOAD_TOO_LARGE`, `ILLEGAL_COMMAND_NAME` (a type that may not become a topic) or
 * `MALFORMED_MESSAGE` naming the bad field. Never throws for bad input, so one broken message cannot cost the
 * rest of its batch.
 */
export function parseDelivery(delivery: Delivery, options: ParseDeliveryOptions): ReceivedMessage {
  try {
    return { ok: true, message: toCloudMessage(delivery, options) };
  } catch (error) {
    if (
      error instanceof MalformedMessageError ||
      error instanceof PayloadTooLargeError ||
      error instanceof IllegalCommandNameError
    ) {
      return {
        ok: false,
        receipt: delivery.receipt,
        messageId: delivery.messageId ?? null,
        raw: delivery.body,
        error,
      };
    }
    throw error;
  }
}
