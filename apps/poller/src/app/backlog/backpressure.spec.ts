import type { LoggerService } from '@nestjs/common';
import { SecretValue } from '@smartlink/common';
import { LogRedactor } from '../logging/log-redactor';
import type { Backlog } from './backlog-reader';
import { Backpressure } from './backpressure';

class Reader {
  total = 0;
  error: Error | null = null;
  reads = 0;
  async read(): Promise<Backlog> {
    this.reads += 1;
    if (this.error) throw this.error;
    return { undone: this.total, lag: 0, total: this.total };
  }
}

class Logger implements Pick<LoggerService, 'log' | 'warn'> {
  readonly lines: string[] = [];
  log(message: string) {
    this.lines.push(`log ${message}`);
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`);
  }
}

function setup() {
  const reader = new Reader();
  const clock = { now: 0 };
  const logger = new Logger();
  const backpressure = new Backpressure(
    reader,
    { highWater: 100, refreshMs: 1_000 },
    () => clock.now,
    logger,
    new LogRedactor([new SecretValue('db-password')]),
  );
  return { reader, clock, logger, backpressure };
}

describe('Backpressure', () => {
  it('lets fetching go on below the high-water mark', async () => {
    const { reader, backpressure } = setup();
    reader.total = 99;
    await expect(backpressure.check()).resolves.toBe('open');
  });

  it('stops fetching at the mark, warning once when it starts and once when it clears', async () => {
    const { reader, clock, logger, backpressure } = setup();
    reader.total = 100;
    await expect(backpressure.check()).resolves.toBe('closed');
    clock.now += 1_000;
    await expect(backpressure.check()).resolves.toBe('closed');
    reader.total = 10;
    clock.now += 1_000;
    await expect(backpressure.check()).resolves.toBe('open');
    await backpressure.check();

    expect(logger.lines).toEqual([
      'warn Backlog of 100 undone messages reached BACKLOG_HIGH_WATER=100: not fetching from the cloud until it drops below',
      'warn Backlog down to 10 undone messages, below BACKLOG_HIGH_WATER=100: fetching again',
    ]);
  });

  it('reads at most once per refresh period and adds what was appended since', async () => {
    const { reader, clock, backpressure } = setup();
    reader.total = 50;
    await backpressure.check();
    backpressure.appended(60);
    await expect(backpressure.check()).resolves.toBe('closed');
    expect(reader.reads).toBe(1);

    clock.now += 1_000;
    await expect(backpressure.check()).resolves.toBe('open');
    expect(reader.reads).toBe(2);
  });

  it('does not fetch while the backlog cannot be read, and says so once without secrets', async () => {
    const { reader, clock, logger, backpressure } = setup();
    reader.error = new Error('password authentication failed: db-password');
    await expect(backpressure.check()).resolves.toBe('unknown');
    clock.now += 1_000;
    await expect(backpressure.check()).resolves.toBe('unknown');
    reader.error = null;
    clock.now += 1_000;
    await expect(backpressure.check()).resolves.toBe('open');

    expect(logger.lines).toHaveLength(2);
    expect(logger.lines[0]).toMatch(/^warn Cannot read the backlog/);
    expect(logger.lines.join()).not.toContain('db-password');
  });
});
