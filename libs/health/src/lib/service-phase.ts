/**
 * Where the service stands, for the probes: `starting` until the startup checks passed once, `running`, then
 * `stopping` from the first shutdown signal (or `app.close()`) on. One instance per app, from `HealthModule`.
 */
export class ServicePhase {
  private startedOnce = false;
  private stoppingSince: number | null = null;

  /** The startup checks passed once; the startup probe answers 200 from now on, whatever follows. */
  markStarted(): void {
    this.startedOnce = true;
  }

  /** Shutdown began: readiness answers 503 from now on, so no new work is routed here. */
  markStopping(now: number): void {
    this.stoppingSince ??= now;
  }

  get started(): boolean {
    return this.startedOnce;
  }

  get stopping(): boolean {
    return this.stoppingSince !== null;
  }

  get name(): 'starting' | 'running' | 'stopping' {
    if (this.stopping) return 'stopping';
    return this.startedOnce ? 'running' : 'starting';
  }
}
