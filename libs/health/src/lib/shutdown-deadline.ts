import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { PROCESS_EXIT, SHUTDOWN_DEADLINE_MS } from './health.tokens';
import { ServicePhase } from './service-phase';

/** The Nest hooks that run during shutdown, in the order Nest calls them. */
const SHUTDOWN_HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'] as const;
type ShutdownHook = (typeof SHUTDOWN_HOOKS)[number];

/**
 * The signals Kubernetes and a terminal send to stop a process: give them to `app.enableShutdownHooks`. Its default,
 * every signal Nest knows, would also stop the service on SIGUSR2, the signal operators give
 * `--heapsnapshot-signal` to take a heap snapshot of a live pod.
 */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Ends the process; `process.exit` outside tests. */
export type ProcessExit = (code: number) => void;

type HookOwner = Partial<Record<ShutdownHook, (...args: unknown[]) => unknown>>;

/**
 * The hard limit on a graceful shutdown. From the first SIGTERM (or SIGINT) the service has `deadlineMs` to stop
 * taking work, finish or hand back what it holds, commit and disconnect: Nest's shutdown hooks, which
 * `enableShutdownHooks()` runs. If they are not done by then, it logs which hooks were still running (e.g.
 * `SegmentRuntime.onModuleDestroy`) and exits with code 1, before Kubernetes' SIGKILL makes the same decision
 * without saying why. A shutdown done in time exits with code 0: the services enable the hooks with
 * `enableShutdownHooks([], { useProcessExit: true })`, so Nest exits instead of raising the signal again (143).
 *
 * It knows what is still open by wrapping the shutdown hooks of every provider and controller once the app has
 * started. `app.close()` without a signal (tests) marks the service as stopping but arms no deadline.
 */
@Injectable()
export class ShutdownDeadline implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(ShutdownDeadline.name);
  private readonly open = new Set<{ readonly name: string; readonly since: number }>();
  private readonly wrapped = new WeakSet<object>();
  private readonly onSignal = (signal: NodeJS.Signals) => this.arm(signal);
  private timer: NodeJS.Timeout | undefined;
  private armedAt: number | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly phase: ServicePhase,
    @Inject(SHUTDOWN_DEADLINE_MS) private readonly deadlineMs: number,
    @Inject(PROCESS_EXIT) private readonly exit: ProcessExit,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.isDependencyTreeStatic() ? wrapper.instance : undefined;
      if (instance && typeof instance === 'object' && instance !== this) this.track(instance as HookOwner);
    }
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, this.onSignal);
  }

  onModuleDestroy(): void {
    this.phase.markStopping(Date.now());
  }

  /**
   * Last of the hooks: stop listening; Nest ends the process once it is done. The timer stays armed (and unref'd) in
   * case a later hook or open handle still holds the process.
   */
  onApplicationShutdown(): void {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, this.onSignal);
  }

  /** Starts the countdown; later calls do nothing. Called on the first signal. */
  arm(reason: string): void {
    if (this.armedAt !== null) return;
    this.armedAt = Date.now();
    this.phase.markStopping(this.armedAt);
    this.logger.log(`${reason}: shutting down, at most ${this.deadlineMs} ms`);
    this.timer = setTimeout(() => this.expire(), this.deadlineMs);
    this.timer.unref();
  }

  /** True once a signal started the countdown. */
  get armed(): boolean {
    return this.armedAt !== null;
  }

  /** The shutdown hooks running right now, with how long each has run. */
  stillOpen(now = Date.now()): string[] {
    return [...this.open].map(({ name, since }) => `${name} (${now - since} ms)`);
  }

  private expire(): void {
    const open = this.stillOpen();
    this.logger.error(
      `Shutdown did not finish within ${this.deadlineMs} ms; still open: ` +
        `${open.length > 0 ? open.join(', ') : 'no shutdown hook (an open handle keeps the process alive)'}; ` +
        'exiting with code 1 (work not committed is delivered again)',
    );
    this.exit(1);
  }

  private track(instance: HookOwner): void {
    if (this.wrapped.has(instance)) return;
    this.wrapped.add(instance);
    const owner = instance.constructor?.name ?? 'anonymous';
    for (const hook of SHUTDOWN_HOOKS) {
      const original = instance[hook];
      if (typeof original !== 'function') continue;
      const name = `${owner}.${hook}`;
      instance[hook] = async (...args: unknown[]) => {
        const entry = { name, since: Date.now() };
        this.open.add(entry);
        try {
          return await original.apply(instance, args);
        } finally {
          this.open.delete(entry);
        }
      };
    }
  }
}
