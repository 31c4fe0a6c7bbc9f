import type { LoggerService } from '@nestjs/common';
import { SecretValue } from '@smartlink/common';
import { SmartLinkServerError, SmartLinkUnauthorizedError, type SetupResult } from '@smartlink/contract';
import { LogRedactor } from '../logging/log-redactor';
import type { Timers } from '@smartlink/common';
import { CloudSetup } from './cloud-setup';

class ManualTimers implements Timers {
  readonly pending = new Map<string, { delayMs: number; callback: () => void }>();
  after(name: string, delayMs: number, callback: () => void): void {
    this.pending.set(name, { delayMs, callback });
  }
  cancel(name: string): void {
    this.pending.delete(name);
  }
  fireAll(): void {
    const timers = [...this.pending.values()];
    this.pending.clear();
    timers.forEach((timer) => timer.callback());
  }
}

class Logger implements Pick<LoggerService, 'log' | 'warn' | 'error'> {
  readonly lines: string[] = [];
  log(message: string) {
    this.lines.push(`log ${message}`);
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`);
  }
  error(message: string) {
    this.lines.push(`error ${message}`);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function harness(failures: Error[]) {
  const calls: string[][] = [];
  const cloud = {
    setup: async (subscriptions: readonly string[]): Promise<SetupResult> => {
      calls.push([...subscriptions]);
      const failure = failures.shift();
      if (failure) throw failure;
      return { tenantId: 'tenant-1', subscriptions };
    },
  };
  const timers = new ManualTimers();
  const logger = new Logger();
  const setup = new CloudSetup(
    { cloud, timers, logger, redactor: new LogRedactor([new SecretValue('the-secret')]) },
    ['HrEmployeeUpdated', 'FinTitlePaid'],
    { retryInitialMs: 1_000, retryMaxMs: 30_000 },
  );
  return { calls, timers, logger, setup };
}

describe('CloudSetup', () => {
  it('sets up the complete subscription list and tells its listeners', async () => {
    const { calls, setup } = harness([]);
    const done: string[] = [];
    setup.onDone(() => done.push('done'));
    setup.start();
    await settle();
    expect(calls).toEqual([['HrEmployeeUpdated', 'FinTitlePaid']]);
    expect(setup.isDone()).toBe(true);
    expect(done).toEqual(['done']);
    expect(setup.details()).toEqual({ subscriptions: 2, tenantId: 'tenant-1', failures: 0 });
  });

  it('retries a retriable failure with backoff and stays not done until it succeeds', async () => {
    const { calls, timers, logger, setup } = harness([
      new SmartLinkServerError('setup', 503, null),
      new SmartLinkServerError('setup', 503, 5_000),
    ]);
    setup.start();
    await settle();
    expect(setup.isDone()).toBe(false);
    expect(timers.pending.get('poller.setup-retry')?.delayMs).toBe(1_000);
    timers.fireAll();
    await settle();
    expect(timers.pending.get('poller.setup-retry')?.delayMs).toBe(5_000);
    timers.fireAll();
    await settle();
    expect(setup.isDone()).toBe(true);
    expect(calls).toHaveLength(3);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toHaveLength(2);
  });

  it('logs a failure that needs an operator as an error and keeps trying at the longest delay', async () => {
    const { timers, logger, setup } = harness([new SmartLinkUnauthorizedError('setup')]);
    setup.start();
    await settle();
    expect(timers.pending.get('poller.setup-retry')?.delayMs).toBe(30_000);
    expect(logger.lines[0]).toMatch(/^error .*UNAUTHORIZED.*needs an operator/);
  });

  it('stops retrying when stopped', async () => {
    const { timers, setup } = harness([new SmartLinkServerError('setup', 503, null)]);
    setup.start();
    await settle();
    setup.stop();
    expect(timers.pending.size).toBe(0);
  });
});
