import { existsSync, mkdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The crash points of the services: one name per step where state changes hands, where the reliability suite
 * (apps/reliability) kills a service to prove that nothing is lost. Listed here so the names are documented and
 * checked in one place.
 */
export const CRASH_POINTS = [
  /** Poller: the batch is durable on Kafka (acks=all), the cloud is not acked yet. */
  'poller.after-append',
  /** Executor: the messages are in GTOTVSLINKMESSAGE, not yet published to `<ns>.cmd.<Command>`. */
  'executor.after-project',
  /** Executor: the attempts are in GTOTVSLINKMESSAGEEXEC, their effect on GTOTVSLINKMESSAGE not yet applied. */
  'executor.after-attempt-insert',
  /** Executor: a chunk of outcomes is fully recorded, its offsets not yet committed. */
  'executor.after-outcome-recorded',
  /** Executor: upstream sends reached the cloud, their attempts not yet recorded. */
  'executor.after-send',
  /** Segment SDK: the handlers ran, their outcomes are not yet published. */
  'segment.after-handler',
  /** Retry scheduler: due rows are claimed (marked dispatched), `retry-due` not yet published. */
  'retry-scheduler.after-claim',
  /** Log writer: the rows are in GTOTVSLINKLOG, the offsets not yet committed. */
  'log-writer.after-insert',
] as const;

export type CrashPointName = (typeof CRASH_POINTS)[number];

/** Where a {@link CrashPoints} reads its arming from, and how it kills; the process itself unless a test says. */
export interface CrashPointsOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly kill: () => void;
}

/**
 * Fault hooks for the reliability suite, inert unless `SMARTLINK_FAULTS_ENABLED=true`. `SMARTLINK_CRASH_AT` arms
 * points as a comma list of `name` or `name:N` (the Nth hit in this process, default the first); at an armed hit the
 * process kills itself with SIGKILL — no shutdown hook, no flush, like a power cut. With `SMARTLINK_CRASH_STATE_DIR`
 * a fired point leaves a file there and never fires again, even after the harness restarts the process with the same
 * environment.
 *
 * This reads the environment itself, unlike the services' settings: it is test machinery, deliberately outside the
 * validated settings so that no production configuration can arm it by a typo in a setting it documents.
 */
export class CrashPoints {
  private readonly armed: ReadonlyMap<string, number>;
  private readonly stateDir: string | null;
  private readonly hits = new Map<string, number>();

  constructor(private readonly options: CrashPointsOptions) {
    const { env } = options;
    const enabled = env['SMARTLINK_FAULTS_ENABLED'] === 'true';
    this.armed = enabled ? parseArmed(env['SMARTLINK_CRASH_AT'] ?? '') : new Map();
    this.stateDir = enabled && env['SMARTLINK_CRASH_STATE_DIR'] ? env['SMARTLINK_CRASH_STATE_DIR'] : null;
  }

  /** Counts a hit of `name`; kills the process if this is the armed hit. */
  hit(name: CrashPointName): void {
    if (this.armed.size === 0) return;
    const at = this.armed.get(name);
    if (at === undefined) return;
    const count = (this.hits.get(name) ?? 0) + 1;
    this.hits.set(name, count);
    if (count !== at) return;
    if (this.stateDir !== null) {
      const marker = join(this.stateDir, name);
      if (existsSync(marker)) return;
      mkdirSync(this.stateDir, { recursive: true });
      writeFileSync(marker, `${new Date().toISOString()} pid ${process.pid} hit ${count}\n`);
    }
    // Synchronous, so the line is out before the signal: a log tells which point killed the process.
    writeSync(2, `crash point ${name} (hit ${count}): SIGKILL\n`);
    this.options.kill();
  }
}

function parseArmed(text: string): Map<string, number> {
  const armed = new Map<string, number>();
  for (const item of text.split(',')) {
    const [name = '', nth] = item.trim().split(':');
    if (!(CRASH_POINTS as readonly string[]).includes(name)) continue;
    const at = nth === undefined ? 1 : Number(nth);
    if (Number.isInteger(at) && at >= 1) armed.set(name, at);
  }
  return armed;
}

let processCrashPoints: CrashPoints | null = null;

/**
 * A step where state changes hands: under the reliability suite's settings (see {@link CrashPoints}) the process may
 * be SIGKILLed here; otherwise nothing happens. The environment is read on the first call.
 */
export function crashPoint(name: CrashPointName): void {
  processCrashPoints ??= new CrashPoints({
    env: process.env,
    kill: () => process.kill(process.pid, 'SIGKILL'),
  });
  processCrashPoints.hit(name);
}
