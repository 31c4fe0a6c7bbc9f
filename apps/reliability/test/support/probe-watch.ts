/** One answer (or non-answer) of a probe. */
export interface ProbeSample {
  /** When the request was sent, ms since the epoch. */
  readonly at: number;
  /** 2xx within the timeout. */
  readonly ok: boolean;
}

/** A service's probe endpoints, as a kubelet would call them. */
export interface ProbeTarget {
  readonly service: string;
  readonly readyUrl: string;
  readonly liveUrl: string;
}

/**
 * Calls every service's readiness and liveness endpoints over and over, as the kubelet does, and keeps every
 * answer, so a test can say when each service went not ready, when it came back, and that liveness never failed.
 * A request that errors or takes longer than the timeout counts as a failed probe, as for Kubernetes.
 */
export class ProbeWatch {
  private readonly samples = new Map<string, { ready: ProbeSample[]; live: ProbeSample[] }>();
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly targets: readonly ProbeTarget[],
    private readonly options: { intervalMs: number; timeoutMs: number },
  ) {
    for (const target of targets) this.samples.set(target.service, { ready: [], live: [] });
  }

  start(): void {
    this.running = true;
    this.loops = this.targets.flatMap((target) => [
      this.loop(target.readyUrl, this.of(target.service).ready),
      this.loop(target.liveUrl, this.of(target.service).live),
    ]);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Readiness answers of `service` sent in [from, to). */
  ready(service: string, from = 0, to = Number.POSITIVE_INFINITY): ProbeSample[] {
    return this.of(service).ready.filter((s) => s.at >= from && s.at < to);
  }

  /** Liveness answers of `service` sent in [from, to). */
  live(service: string, from = 0, to = Number.POSITIVE_INFINITY): ProbeSample[] {
    return this.of(service).live.filter((s) => s.at >= from && s.at < to);
  }

  /**
   * When `service` was ready again after `from`: the first passing readiness probe sent in [from, until) that starts
   * `settle` passing probes in a row (fewer if the window ends first); null if there is none. A lone failure later
   * (a probe that timed out on a machine starved of CPU) does not move it; {@link readyFailures} counts those.
   */
  readyFrom(service: string, from: number, until = Number.POSITIVE_INFINITY, settle = 3): number | null {
    const samples = this.ready(service, from, until);
    for (let i = 0; i < samples.length; i += 1) {
      const run = samples.slice(i, i + settle);
      if (run.every((s) => s.ok)) return (samples[i] as ProbeSample).at;
    }
    return null;
  }

  /** Failed readiness probes of `service` sent in [from, until). */
  readyFailures(service: string, from: number, until = Number.POSITIVE_INFINITY): number {
    return this.ready(service, from, until).filter((s) => !s.ok).length;
  }

  /** The most liveness probes of `service` that failed in a row: the kubelet restarts a pod at its failureThreshold. */
  longestLiveFailureRun(service: string): number {
    let longest = 0;
    let current = 0;
    for (const sample of this.live(service)) {
      current = sample.ok ? 0 : current + 1;
      longest = Math.max(longest, current);
    }
    return longest;
  }

  private of(service: string): { ready: ProbeSample[]; live: ProbeSample[] } {
    const found = this.samples.get(service);
    if (!found) throw new Error(`no probes of ${service} are watched`);
    return found;
  }

  private async loop(url: string, into: ProbeSample[]): Promise<void> {
    while (this.running) {
      const at = Date.now();
      const ok = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs) })
        .then(async (response) => {
          await response.arrayBuffer();
          return response.ok;
        })
        .catch(() => false);
      into.push({ at, ok });
      // Paces the polling, like the kubelet's periodSeconds; nothing waits on it.
      const rest = this.options.intervalMs - (Date.now() - at);
      if (rest > 0 && this.running) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }
}
