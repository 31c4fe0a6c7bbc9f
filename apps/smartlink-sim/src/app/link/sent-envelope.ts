/** What the simulated cloud read from a send body: its envelope style and the fields the cloud would route on. */
export interface SentEnvelope {
  readonly style: 'totvs' | 'cloudevents';
  /** TOTVS `header.transactionId`, CloudEvents `id`; null when absent. */
  readonly id: string | null;
  /** TOTVS `header.type`, CloudEvents `type`. */
  readonly type: string | null;
  /** TOTVS `header.tenantId`, CloudEvents `tenantid` (or `tenantId`). */
  readonly tenantId: string | null;
  /** TOTVS `header.correlationId` (or `correlatedId`), CloudEvents `correlationid`. */
  readonly correlationId: string | null;
  /** TOTVS `header.generatedOn`, CloudEvents `time`. */
  readonly time: string | null;
  /**
   * Where the body disagrees with the request or lacks what the samples of TOTVS (S13) and GRR (P1) always carry: the
   * type of the path, the tenant of the token, a payload. Recorded, not refused: what the real server checks is not
   * public, and a test reads these to prove the client sent a consistent envelope.
   */
  readonly problems: readonly string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Reads a send body the way a TOTVS App would: a `header` object is "Padrão Totvs", a `specversion` CloudEvents.
 * Written for the simulator, independently of the client's contract lib (style rule 19). Null for any other body.
 */
export function readSentEnvelope(body: unknown, expected: { type: string; tenantId: string }): SentEnvelope | null {
  if (!isObject(body)) return null;
  let envelope: Omit<SentEnvelope, 'problems'>;
  let payload: string;
  if (isObject(body['header'])) {
    const header = body['header'];
    envelope = {
      style: 'totvs',
      id: text(header['transactionId']),
      type: text(header['type']),
      tenantId: text(header['tenantId']),
      correlationId: text(header['correlationId']) ?? text(header['correlatedId']),
      time: text(header['generatedOn']),
    };
    payload = 'content';
  } else if ('specversion' in body) {
    envelope = {
      style: 'cloudevents',
      id: text(body['id']),
      type: text(body['type']),
      tenantId: text(body['tenantid']) ?? text(body['tenantId']),
      correlationId: text(body['correlationid']),
      time: text(body['time']),
    };
    payload = 'data';
  } else {
    return null;
  }
  const problems: string[] = [];
  if (envelope.type !== expected.type) problems.push(`type ${JSON.stringify(envelope.type)} is not the path's`);
  if (envelope.tenantId !== expected.tenantId) problems.push("tenant is not the token's");
  if (!(payload in body)) problems.push(`no ${payload}`);
  return { ...envelope, problems };
}
