import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceProcess, TestSystem } from '@smartlink/system-harness';
import { waitFor } from '@smartlink/testing';

/** One death of a service process and what caused it. */
export interface ServiceDeath {
  readonly service: string;
  /** The process among the service's replicas, e.g. `executor-2`; the service name when it runs once. */
  readonly instance: string;
  /**
   * `crash-point:<name>` when a fault hook fired, `random` for a kill by the suite, `liveness` for a kill by the
   * liveness watch, else `exit`.
   */
  readonly cause: string;
  readonly signal: string | null;
  readonly code: number | null;
  /** The log of the life that ended, kept beside the others. */
  readonly logFile: string;
  /** When the supervisor saw the process gone (epoch ms; at most a watch interval after the death). */
  readonly at: number;
}

/** A liveness probe as kubelet runs it: GET the URL every period; so many failures in a row and the pod is killed. */
export interface LivenessWatch {
  /** The service's `/health/live`. */
  readonly url: string;
  readonly periodMs: number;
  /** A probe without an answer within this is a failure. */
  readonly timeoutMs: number;
  readonly failureThreshold: number;
}

/** What kubelet would run for a `livenessProbe` of periodSeconds 1, timeoutSeconds 1, failureThreshold 3. */
export function livenessWatch(service: { spec: { readyUrl: string } }): LivenessWatch {
  return {
    url: new URL('/health/live', service.spec.readyUrl).toString(),
    periodMs: 1_000,
    timeoutMs: 1_000,
    failureThreshold: 3,
  };
}

/**
 * Plays Kubernetes for the suite: whenever a service process dies (a crash point, a kill by the suite, or an exit
 * of its own) it keeps that life's log and starts that instance (that replica, as a pod) again with the same
 * settings. Every death is recorded with its cause, so the report can count kills per service and per crash point.
 * With a liveness watch for a service it also plays kubelet's liveness probe: a process that stops answering it (an
 * event loop blocked by a handler) is SIGKILLed and restarted.
 */
export class ServiceSupervisor {
  readonly deaths: ServiceDeath[] = [];
  readonly restartFailures: string[] = [];
  private readonly randomKills = new Set<ServiceProcess>();
  private readonly restarting = new Set<string>();
  private readonly lives = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<void>[] = [];
  private readonly livenessKills = new Set<ServiceProcess>();
  private readonly livenessTimers: NodeJS.Timeout[] = [];

  constructor(
    private readonly system: TestSystem,
    private readonly liveness: Readonly<Record<string, LivenessWatch>> = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), 200);
    for (const [name, watch] of Object.entries(this.liveness)) this.watchLiveness(name, watch);
  }

  /** Liveness failures so far, per service: each a probe that got no 2xx within its timeout. */
  readonly livenessFailures = new Map<string, number>();

  /**
   * Kubelet's liveness probe for one service: a probe per period, run only while the current process is up and not
   * being restarted (kubelet probes a container after its start-up probe passed, which here is readiness); after
   * `failureThreshold` failures in a row the process is SIGKILLed. One probe at a time, as kubelet does.
   */
  private watchLiveness(name: string, watch: LivenessWatch): void {
    let failuresInARow = 0;
    let probing = false;
    const timer = setInterval(() => {
      if (probing || this.restarting.has(name)) return;
      const target = this.system.service(name);
      if (!target.running || this.livenessKills.has(target)) return;
      probing = true;
      void fetch(watch.url, { signal: AbortSignal.timeout(watch.timeoutMs) })
        .then((response) => response.ok)
        .catch(() => false)
        .then((alive) => {
          probing = false;
          // A probe answered by an earlier life says nothing about this one.
          if (this.system.service(name) !== target || !target.running) return;
          if (alive) {
            failuresInARow = 0;
            return;
          }
          failuresInARow += 1;
          this.livenessFailures.set(name, (this.livenessFailures.get(name) ?? 0) + 1);
          if (failuresInARow < watch.failureThreshold || target.pid === null) return;
          failuresInARow = 0;
          this.livenessKills.add(target);
          process.kill(target.pid, 'SIGKILL');
        });
    }, watch.periodMs);
    this.livenessTimers.push(timer);
  }

  /**
   * SIGKILLs a running process of one of the `candidates` services, chosen at random among the services killed at
   * random least often (and, with replicas, among their running replicas), so a series of kills reaches every
   * service: a kill at a random moment under load. Resolves with the instance killed.
   */
  async killRandomly(candidates: readonly string[]): Promise<string> {
    const killed = (name: string) => [...this.randomKills].filter((p) => p.spec.name === name).length;
    const running = await waitFor(
      () => {
        const up = candidates.filter((name) => this.system.replicasOf(name).some((p) => p.pid !== null));
        if (up.length === 0) return null;
        const fewest = Math.min(...up.map(killed));
        return up.filter((name) => killed(name) === fewest);
      },
      { description: `one of ${candidates.join(', ')} running`, timeoutMs: 120_000, intervalMs: 100 },
    );
    const name = running[Math.floor(Math.random() * running.length)] as string;
    const replicas = this.system.replicasOf(name).filter((p) => p.pid !== null);
    const target = replicas[Math.floor(Math.random() * replicas.length)] as ServiceProcess;
    this.kill(target);
    return target.instance;
  }

  /** SIGKILLs this running process now, counted as a kill by the suite (cause `random`). */
  kill(target: ServiceProcess): void {
    if (target.pid === null) throw new Error(`${target.instance} is not running`);
    this.randomKills.add(target);
    process.kill(target.pid, 'SIGKILL');
  }

  /** True once no service is dead or restarting. */
  get settled(): boolean {
    return this.restarting.size === 0 && this.system.processes.every((p) => p.running);
  }

  /** Stops watching; waits for restarts under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const timer of this.livenessTimers.splice(0)) clearInterval(timer);
    await Promise.all(this.pending);
  }

  /** Every log file of every life of every service, for the secret scan. */
  logFiles(): string[] {
    return [...this.deaths.map((d) => d.logFile), ...this.system.processes.map((p) => p.logFile)];
  }

  private check(): void {
    for (const process of this.system.processes) {
      const name = process.instance;
      if (process.running || this.restarting.has(name)) continue;
      this.restarting.add(name);
      const restart = this.restart(name).finally(() => this.restarting.delete(name));
      this.pending.push(restart);
    }
  }

  private lastSizes = new Map<string, number>();

  private stableSize(file: string): boolean {
    const size = statSync(file).size;
    const stable = this.lastSizes.get(file) === size;
    this.lastSizes.set(file, size);
    return stable;
  }

  /**
   * The crash point that killed the life whose log this is: a fired point writes its name to stderr synchronously
   * just before the SIGKILL. (Its marker file names the pid too, but a life can end before the watch loop has seen
   * its pid.)
   */
  private firedBy(logFile: string): string | null {
    return /^crash point (\S+) \(hit \d+\): SIGKILL$/m.exec(readFileSync(logFile, 'utf8'))?.[1] ?? null;
  }

  private async restart(instance: string): Promise<void> {
    const seenDeadAt = Date.now();
    const old = this.system.service(instance);
    const exit = await old.stop();
    const killedBy = this.randomKills.has(old) ? 'random' : this.livenessKills.has(old) ? 'liveness' : null;
    await this.keepLife(old, killedBy, exit, seenDeadAt);
    // The database may be down right now (a service that cannot reach it at boot exits; Kafka it waits for): keep
    // trying until the suite stops, backing off as Kubernetes' CrashLoopBackOff does. Not a test waiting on time:
    // the delay models the platform.
    for (let attempt = 1; this.timer !== null; attempt += 1) {
      try {
        await this.system.restart(instance);
        return;
      } catch (error) {
        this.restartFailures.push(
          `${instance} restart ${attempt}: ${(error as Error).message.split('\n')[0]}`,
        );
        // A life that ended before it was ready (a crash point hit at once, on redelivered work) is a death too;
        // its log is in the same file, which the next start truncates.
        await this.keepLife(old, null, { signal: null, code: null }, Date.now());
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 10_000)));
      }
    }
  }

  /** Keeps the log of a life that ended and records the death, with the crash point that caused it if one did. */
  private async keepLife(
    process: ServiceProcess,
    /** `random` or `liveness` when the supervisor killed the process. */
    killedBy: 'random' | 'liveness' | null,
    exit: { signal: string | null; code: number | null },
    at: number,
  ): Promise<void> {
    const { instance, logFile } = process;
    const life = (this.lives.get(instance) ?? 0) + 1;
    this.lives.set(instance, life);
    const kept = join(this.system.logDir, `${instance}.life-${life}.log`);
    // The last output of the dead process may still be on its way from the pipe to the file.
    await waitFor(() => this.stableSize(logFile), {
      description: `${instance}'s log to settle`,
      intervalMs: 100,
    });
    copyFileSync(logFile, kept);
    const point = this.firedBy(kept);
    const cause = killedBy ?? (point ? `crash-point:${point}` : 'exit');
    this.deaths.push({
      service: process.spec.name,
      instance,
      cause,
      signal: exit.signal,
      code: exit.code,
      logFile: kept,
      at,
    });
  }
}
