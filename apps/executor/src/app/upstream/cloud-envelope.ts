import { buildCloudEventsEnvelope, buildTotvsEnvelope, type EnvelopeStyle } from '@smartlink/contract';

/** What the envelope of a send is built from: the upstream row. */
export interface EnvelopeSource {
  readonly id: string;
  readonly command: string;
  readonly correlatedId: string | null;
  readonly data: string;
  /** When the segment published the message; the envelope's `generatedOn` / `time`, the same on every attempt. */
  readonly createdAt: Date;
}

/**
 * Builds the body of `send/{type}/{audience}` with the contract lib's builders, in the configured style
 * (`EXECUTOR_ENVELOPE`). TOTVS, the default: `header.type` = command, `tenantId`, `generatedOn`, `transactionId` =
 * message id, `correlationId`, and `content`. CloudEvents: `id` = message id, `type`, `correlationid`, `tenantid`,
 * `time`, `source`, `data`. The payload is RM's `Data`: JSON text travels as that JSON, any other text as a string.
 */
export class CloudEnvelope {
  constructor(
    readonly style: EnvelopeStyle,
    /** CloudEvents `source`. */
    private readonly source: string,
  ) {}

  build(message: EnvelopeSource, tenantId: string): string {
    return this.style === 'cloudevents'
      ? buildCloudEventsEnvelope({
          id: message.id,
          type: message.command,
          tenantId,
          data: message.data,
          time: message.createdAt,
          source: this.source,
          correlationId: message.correlatedId,
        })
      : buildTotvsEnvelope({
          type: message.command,
          tenantId,
          data: message.data,
          generatedOn: message.createdAt,
          transactionId: message.id,
          correlationId: message.correlatedId,
        });
  }
}
