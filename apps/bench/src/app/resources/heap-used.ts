/**
 * V8's heap in use, in bytes, from a Prometheus exposition (`GET /metrics`): the sample of
 * `nodejs_heap_size_used_bytes` that prom-client's default metrics export. Null when it is not there.
 */
export function heapUsedBytesOfExposition(exposition: string): number | null {
  const match = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(exposition);
  const value = match ? Number(match[1]) : NaN;
  return Number.isFinite(value) ? value : null;
}
