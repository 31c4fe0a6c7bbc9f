/**
 * The envelopes the simulated cloud publishes, written here and not by `@smartlink/contract`: the client's parser
 * must meet bodies it did not write itself, or a mistake in the contract lib would be mirrored and every test would
 * pass. The layouts are TOTVS' samples (S13, "Padrão Totvs" and "Padrão CloudEvents"), field for field.
 */
export const SimEnvelope = {
  /** "Padrão Totvs": `header` {type, tenantId, generatedOn, transactionId?, correlationId?} and `content`. */
  totvs(fields: {
    type: string;
    tenantId: string;
    generatedOn: Date;
    transactionId: string | null;
    correlationId: string | null;
    content: unknown;
  }): string {
    const header: Record<string, string> = {
      type: fields.type,
      tenantId: fields.tenantId,
      generatedOn: fields.generatedOn.toISOString(),
    };
    if (fields.transactionId) header['transactionId'] = fields.transactionId;
    if (fields.correlationId) header['correlationId'] = fields.correlationId;
    return JSON.stringify({ header, content: fields.content });
  },

  /** "Padrão CloudEvents": `specversion`, `time`, `correlationid`, `tenantid`, `id`, `source`, `type`, `data`. */
  cloudEvents(fields: {
    id: string;
    type: string;
    tenantId: string;
    time: Date;
    source: string;
    correlationId: string | null;
    data: unknown;
  }): string {
    return JSON.stringify({
      specversion: '1.0',
      time: fields.time.toISOString(),
      correlationid: fields.correlationId,
      tenantid: fields.tenantId,
      id: fields.id,
      source: fields.source,
      type: fields.type,
      data: fields.data,
    });
  },
} as const;
