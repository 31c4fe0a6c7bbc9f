import type { FaultEndpoint, FaultKind } from './fault-config';

/** Counts requests, response statuses and injected faults per endpoint, for tests and benchmarks. */
export class RequestMetrics {
  private requests: Partial<Record<FaultEndpoint, number>> = {};
  private responses: Partial<Record<FaultEndpoint, Record<string, number>>> = {};
  private faults: Record<string, number> = {};

  countRequest(endpoint: FaultEndpoint): void {
    this.requests[endpoint] = (this.requests[endpoint] ?? 0) + 1;
  }

  countResponse(endpoint: FaultEndpoint, status: number): void {
    const byStatus = (this.responses[endpoint] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  /** Counted under `<endpoint>:<kind>`, e.g. `get:throttle`. */
  countFault(endpoint: FaultEndpoint, kind: FaultKind): void {
    const key = `${endpoint}:${kind}`;
    this.faults[key] = (this.faults[key] ?? 0) + 1;
  }

  snapshot() {
    return {
      requests: { ...this.requests },
      responses: structuredClone(this.responses),
      faults: { ...this.faults },
    };
  }

  reset(): void {
    this.requests = {};
    this.responses = {};
    this.faults = {};
  }
}
