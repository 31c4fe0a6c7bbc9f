import {
  buildCloudEventsEnvelope,
  buildTotvsEnvelope,
  type EnvelopeStyle,
  type JsonValue,
} from '@smartlink/contract';

/** What the envelope of a send is built from: the upstream row. */
export interface EnvelopeSource {
  readonly id: string;
  readonly command: string;
  readonly correlatedId: string | null;
  readonly data: string;
  /** When the segment published the message; the envelope's `time` / `generatedOn`, the same on every attempt. */
  readonly createdAt: Date;
}

/**
 * Builds the body of `send/{type}/{audience}` with the contract lib's builders, in the configured style.
 * CloudEvents: `id` = message id, `type` = command, `correlationid` = CorrelatedId, `tenantid`, `time`, `source`,
 * `data`. TOTVS: `header.transactionId` = message id, `type`, `tenantId`, `correlationId`, `generatedOn`, and
 * `content`. The payload is RM's `Data`, text in any format: text that is JSON travels as that JSON value, so the
 * app reads structured data; any other text travels as a JSON string.
 */
export class CloudEnvelope {
  constructor(
    readonly style: EnvelopeStyle,
    /** CloudEvents `source`. */
    private readonly source: string,
  ) {}

  build(message: EnvelopeSource, tenantId: string): string {
    const payload = payloadOf(message.data);
    return this.style === 'cloudevents'
      ? buildCloudEventsEnvelope({
          id: message.id,
          type: message.command,
          tenantId,
          data: payload,
          time: message.createdAt,
          source: this.source,
          correlationId: message.correlatedId,
        })
      : buildTotvsEnvelope({
          type: message.command,
          tenantId,
          content: payload,
          generatedOn: message.createdAt,
          transactionId: message.id,
          correlationId: message.correlatedId,
        });
  }
}

/** The payload as a JSON value: parsed when the text is JSON, the text itself otherwise. */
export function payloadOf(data: string): JsonValue {
  try {
    return JSON.parse(data) as JsonValue;
  } catch {
    return data;
  }
}
