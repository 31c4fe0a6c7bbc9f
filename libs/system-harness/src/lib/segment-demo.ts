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
