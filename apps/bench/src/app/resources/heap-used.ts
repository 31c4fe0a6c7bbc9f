/**
 * V8's heap in use, in bytes, from a Prometheus exposition (`GET /metrics`): the sample of
 * `nodejs_heap_size_used_bytes` that prom-client's default metrics export. Null when it is not there.
 */
export function heapUsedBytesOfExposition(exposition: string): number | null {
  return gaugeOfExposition(exposition, 'nodejs_heap_size_used_bytes');
}

/**
 * Memory V8 accounts for outside its heap (Buffers and other ArrayBuffers, which Node allocates with malloc), in
 * bytes: prom-client's `nodejs_external_memory_bytes`. Null when it is not there.
 */
export function externalBytesOfExposition(exposition: string): number | null {
  return gaugeOfExposition(exposition, 'nodejs_external_memory_bytes');
}

/** The value of the first sample of the gauge `name` (any labels), or null. */
function gaugeOfExposition(exposition: string, name: string): number | null {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(exposition);
  const value = match ? Number(match[1]) : NaN;
  return Number.isFinite(value) ? value : null;
}
