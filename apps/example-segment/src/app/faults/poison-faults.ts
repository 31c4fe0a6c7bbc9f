import { writeSync } from 'node:fs';

/**
 * What a poison message does to the handler that runs it, for the reliability suite's `poison` case: `kill` SIGKILLs
 * the process, `hang` never settles and ignores its abort signal, `block` busy-loops the event loop for ever, `oom`
 * allocates until V8's heap is exhausted (the process aborts).
 */
export const POISON_BEHAVIOURS = ['kill', 'hang', 'block', 'oom'] as const;

export type PoisonBehaviour = (typeof POISON_BEHAVIOURS)[number];

/** Where {@link PoisonFaults} reads its arming from and how it kills; the process itself unless a unit test says. */
export interface PoisonFaultsDeps {
  /** True only with `SMARTLINK_FAULTS_ENABLED=true`. */
  readonly enabled: boolean;
  /** SIGKILLs the process (a double in unit tests). */
  readonly kill: () => void;
  /** Writes a line synchronously, so it is out before the process dies (stderr unless a unit test says). */
  readonly note: (line: string) => void;
}

/** A message's poison, when it carries one: its `"poison"` field. */
export function poisonOf(data: unknown): PoisonBehaviour | null {
  if (data === null || typeof data !== 'object') return null;
  const value = (data as { poison?: unknown }).poison;
  return (POISON_BEHAVIOURS as readonly unknown[]).includes(value) ? (value as PoisonBehaviour) : null;
}

/**
 * Fault hooks compiled into the example segment and inert unless `SMARTLINK_FAULTS_ENABLED=true`, like the crash
 * points of `@smartlink/common`: with the flag, a DemoEmployeeUpdated whose data has `"poison"` makes its handler
 * misbehave as that field says. Like the crash points, it reads the environment itself: test machinery kept outside
 * the validated settings, so no production configuration can arm it through a setting it documents.
 */
export class PoisonFaults {
  constructor(private readonly deps: PoisonFaultsDeps) {}

  /** The hooks of this process, armed by its environment. */
  static fromEnvironment(env: Readonly<Record<string, string | undefined>>): PoisonFaults {
    return new PoisonFaults({
      enabled: env['SMARTLINK_FAULTS_ENABLED'] === 'true',
      kill: () => process.kill(process.pid, 'SIGKILL'),
      note: (line) => writeSync(2, `${line}\n`),
    });
  }

  /**
   * Misbehaves as `behaviour` says when armed, and returns null (do the normal work) when not. `kill`, `block` and
   * `oom` never return in a real process; `hang` returns a promise that never settles.
   */
  strike(behaviour: PoisonBehaviour | null, label: string): Promise<never> | null {
    if (!this.deps.enabled || behaviour === null) return null;
    // The line names the attempt, so the suite can tell which life each poison attempt cost.
    this.deps.note(`poison ${behaviour}: ${label}`);
    switch (behaviour) {
      case 'kill':
        this.deps.kill();
        // Only a unit test's kill double returns: from here on the attempt is as good as dead.
        return new Promise<never>(() => undefined);
      case 'hang':
        // Never settles and never looks at the abort signal: the SDK's handler timeout must end the attempt.
        return new Promise<never>(() => undefined);
      case 'block':
        return blockTheEventLoop();
      case 'oom':
        return exhaustTheHeap();
    }
  }
}

/** Spins for ever: no timer, I/O or probe of this process runs again. */
function blockTheEventLoop(): never {
  for (;;) {
    // Busy on purpose: the liveness probe is what must end this process.
  }
}

/** Keeps every allocation reachable until V8 reaches its heap limit and the process aborts. */
function exhaustTheHeap(): never {
  const hoard: number[][] = [];
  for (;;) {
    // 8 MiB of doubles per step: a heap of a few hundred MiB is exhausted within a second.
    hoard.push(new Array<number>(1 << 20).fill(0.5));
  }
}
