import type { LoggerService } from '@nestjs/common';
import { SecretValue } from '@smartlink/common';
import type { TopicSpec } from '@smartlink/messaging';
import { LogRedactor } from './logging/log-redactor';
import { PollerLifecycle } from './poller-lifecycle';

function setup({ drainFinishes = true } = {}) {
  const journal: string[] = [];
  const logger: Pick<LoggerService, 'log' | 'warn' | 'error'> = {
    log: (message: string) => journal.push(`log ${message}`),
    warn: (message: string) => journal.push(`warn ${message}`),
    error: (message: string) => journal.push(`error ${message}`),
  };
  const lifecycle = new PollerLifecycle({
    admin: {
      ensureTopicsAtStartup: async (specs: readonly TopicSpec[]) => {
        journal.push(`ensure ${specs.map((s) => s.name).join(',')}`);
        return { created: [], existing: [] };
      },
    },
    topics: [{ name: 'ns.received', partitions: 6 }],
    lease: {
      groupId: 'ns.poller.lease',
      start: async () => void journal.push('lease start'),
      stop: async () => void journal.push('lease stop'),
    },
    setup: { start: () => void journal.push('setup start'), stop: () => void journal.push('setup stop') },
    scheduler: {
      start: () => void journal.push('scheduler start'),
      stop: async (graceMs: number) => {
        journal.push(`scheduler stop ${graceMs}`);
        return drainFinishes;
      },
    },
    cloud: {
      close: async () => {
        journal.push('cloud close');
        throw new Error('pool already closed: the-secret');
      },
    },
    groupLag: { disconnect: async () => void journal.push('lag disconnect') },
    shutdownGraceMs: 12_000,
    describe: 'every 60000 ms',
    logger,
    redactor: new LogRedactor([new SecretValue('the-secret')]),
  });
  return { journal, lifecycle };
}

describe('PollerLifecycle', () => {
  it('ensures the topics, joins the lease group, then starts setup and the drains', async () => {
    const { journal, lifecycle } = setup();
    await lifecycle.onApplicationBootstrap();
    expect(journal.slice(0, 4)).toEqual([
      'ensure ns.received',
      'lease start',
      'setup start',
      'scheduler start',
    ]);
  });

  it('on shutdown lets the batch in hand finish before leaving the lease group and closing the cloud client', async () => {
    const { journal, lifecycle } = setup();
    await lifecycle.beforeApplicationShutdown();
    expect(journal.slice(0, 5)).toEqual([
      'setup stop',
      'scheduler stop 12000',
      'lease stop',
      'cloud close',
      'lag disconnect',
    ]);
    expect(journal[5]).toBe('warn Closing the poller: Error: pool already closed: [redacted]');
  });

  it('says so when the batch in hand did not finish in time', async () => {
    const { journal, lifecycle } = setup({ drainFinishes: false });
    await lifecycle.beforeApplicationShutdown();
    expect(journal).toContain(
      'warn The batch in hand did not finish within 12000 ms; whatever of it was not acked comes again',
    );
  });
});
