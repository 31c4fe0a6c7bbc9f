import type { TestSystem } from '@smartlink/system-harness';
import { waitFor } from '@smartlink/testing';
import type { SoakKill } from './soak-sample';

/**
 * SIGKILLs one service of a running system and starts it again with the same settings, as Kubernetes restarts a pod
 * whose process died: no SIGTERM, no drain. Counts each service's lives, so readings of a new process are told apart
 * from the old one's. TestSystem has no kill of its own; `restart` finds the killed process already exited and only
 * starts the new one.
 */
export class ServiceKiller {
  private readonly lives = new Map<string, number>();

  constructor(
    private readonly system: TestSystem,
    private readonly startedAt: number,
  ) {}

  /** The life of `service` now: 0 until its first restart. */
  life(service: string): number {
    return this.lives.get(service) ?? 0;
  }

  async killAndRestart(service: string): Promise<SoakKill> {
    const victim = this.system.service(service);
    const pid = victim.pid;
    if (pid === null) throw new Error(`${service} is not running`);
    const killedAt = Date.now();
    const t = Math.round((killedAt - this.startedAt) / 100) / 10;
    process.kill(pid, 'SIGKILL');
    // The new life begins at the signal: readings from now on belong to the process that replaces this one.
    this.lives.set(service, this.life(service) + 1);
    try {
      await waitFor(() => !victim.running, {
        description: `${service} to exit`,
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await this.system.restart(service);
      return { service, t, pid, restartS: Math.round((Date.now() - killedAt) / 100) / 10 };
    } catch (error) {
      return { service, t, pid, restartS: null, error: (error as Error).message.split('\n')[0] as string };
    }
  }
}
