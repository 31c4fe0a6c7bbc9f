/** One send the simulated cloud recorded (`GET /admin/sent`): `type` and `audience` come from the request path. */
export interface SentMessage {
  readonly tenantId: string;
  readonly type: string;
  readonly audience: string;
  /** The envelope as parsed JSON. */
  readonly body: Record<string, unknown>;
  readonly sentAt: string;
}

/** The sends the simulator recorded for a tenant, with the exact total (the list keeps the latest 100,000). */
export async function sentMessages(
  simUrl: string,
  tenantId: string,
): Promise<{ total: number; entries: SentMessage[] }> {
  const response = await fetch(`${simUrl}/admin/sent?tenantId=${encodeURIComponent(tenantId)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GET /admin/sent answered ${response.status}`);
  return (await response.json()) as { total: number; entries: SentMessage[] };
}

/** Faults injected so far, by `<endpoint>:<kind>` (e.g. `send:throttle`). */
export async function injectedFaults(simUrl: string): Promise<Record<string, number>> {
  const response = await fetch(`${simUrl}/admin/stats`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /admin/stats answered ${response.status}`);
  return ((await response.json()) as { http: { faults: Record<string, number> } }).http.faults;
}

/** Asks the example segment to publish `count` messages of its own (`POST /demo/publish`); returns their ids. */
export async function publishFromSegment(
  segmentUrl: string,
  body: { count: number; command?: string; audience?: string },
): Promise<string[]> {
  const response = await fetch(`${segmentUrl}/demo/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok)
    throw new Error(`POST /demo/publish answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { ids: string[] }).ids;
}
