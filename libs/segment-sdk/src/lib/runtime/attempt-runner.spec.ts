import type { LogRecord } from '@smartlink/messaging';
import { fixedClock, RecordingStdout, deferred, NOW } from '../../../test/unit-doubles';
import { FatalSegmentError } from '../errors/fatal-segment-error';
import type { CommandHandler } from '../handler/command-handler';
import type { HandlerContext } from '../handler/handler-context';
import type { SegmentMessage } from '../handler/segment-message';
import { AttemptRunner } from './attempt-runner';

const message: SegmentMessage = {
  id: 'm-1',
  command: 'DemoPing',
  tenantId: 'tenant-1',
  correlatedId: null,
  attempt: 3,
  data: '{"x":1}',
  receivedAt: NOW.toISOString(),
};

function setup(handlerTimeoutMs = 5_000) {
  const stdout = new RecordingStdout();
  const late: LogRecord[] = [];
  const runner = new AttemptRunner({
    source: 'segment:hr',
    handlerTimeoutMs,
    maxPublishBytes: 1_024,
    stdout,
    clock: fixedClock,
    lateLogs: (record) => late.push(record),
  });
  const run = (handler: CommandHandler, abandon?: AbortSignal) =>
    runner.run({ command: 'DemoPing', handler, origin: 'test' }, message, abandon);
  return { runner, stdout, late, run };
}

const at = NOW.toISOString();

describe('AttemptRunner', () => {
  describe('when the handler returns', () => {
    it('reports success for this (id, attempt), with the handler given the message and its attempt', async () => {
      const { run } = setup();
      let received: [SegmentMessage, HandlerContext] | undefined;

      const result = await run(async (m, context) => {
        received = [m, context];
      });

      expect(result.outcome).toEqual({
        messageId: 'm-1',
        attempt: 3,
        status: 'succeeded',
        startedAt: at,
        finishedAt: at,
      });
      expect(received?.[0]).toBe(message);
      expect(received?.[1].attempt).toBe(3);
      expect(result.logs).toEqual([]);
    });
  });

  describe('when the handler logs', () => {
    it('writes to stdout and keeps a log record with the message id and the segment as source', async () => {
      const { run, stdout } = setup();

      const result = await run((_m, { logger }) => {
        logger.info('pinged');
        logger.warn('slow', { tookMs: 900 });
        logger.error('odd', new Error('detail'));
      });

      expect(result.logs).toEqual([
        { messageId: 'm-1', type: 0, message: 'pinged', date: at, source: 'segment:hr' },
        {
          messageId: 'm-1',
          type: 1,
          message: 'slow',
          debug: '{"tookMs":900}',
          date: at,
          source: 'segment:hr',
        },
        expect.objectContaining({ type: 2, message: 'odd', debug: expect.stringContaining('Error: detail') }),
      ]);
      expect(stdout.lines).toContainEqual({ level: 'log', text: 'DemoPing m-1 attempt 3: pinged' });
      expect(stdout.lines).toContainEqual({ level: 'warn', text: 'DemoPing m-1 attempt 3: slow' });
    });
  });

  describe('when the handler throws', () => {
    it('reports a retryable failure with the message in the outcome and the stack in the log', async () => {
      const { run } = setup();

      const result = await run(() => {
        throw new Error('database is down');
      });

      expect(result.outcome).toMatchObject({ status: 'failed', error: 'database is down' });
      expect(result.outcome.error).not.toContain(' at ');
      expect(result.logs).toEqual([
        expect.objectContaining({
          type: 2,
          message: 'failed: database is down',
          debug: expect.stringContaining('attempt-runner.spec.ts'),
        }),
      ]);
    });

    it('reports a failure for a rejected promise and for thrown non-errors, never with an empty reason', async () => {
      const { run } = setup();

      const rejected = await run(() => Promise.reject(new TypeError('x is undefined')));
      const thrownString = await run(() => {
        throw 'no stock';
      });
      const thrownEmpty = await run(() => {
        throw new Error('');
      });

      expect(rejected.outcome).toMatchObject({ status: 'failed', error: 'x is undefined' });
      expect(thrownString.outcome).toMatchObject({ status: 'failed', error: 'no stock' });
      expect(thrownEmpty.outcome).toMatchObject({ status: 'failed', error: 'Error without a message' });
    });
  });

  describe('when the handler throws FatalSegmentError', () => {
    it('reports fatal with the reason, so the message is dead-lettered without retry', async () => {
      const { run } = setup();

      const result = await run(async () => {
        throw new FatalSegmentError('employee 42 does not exist');
      });

      expect(result.outcome).toMatchObject({ status: 'fatal', error: 'employee 42 does not exist' });
      expect(result.logs[0]).toMatchObject({ type: 2, message: 'fatal: employee 42 does not exist' });
    });
  });

  describe('when the handler does not settle in time', () => {
    it('reports "handler timed out after N ms", aborts its signal, and sends its later logs to the late sink', async () => {
      const { run, late } = setup(30);
      const release = deferred();
      let signal: AbortSignal | undefined;
      let finishLogging: (() => void) | undefined;

      const result = await run(async (_m, context) => {
        signal = context.signal;
        finishLogging = () => context.logger.info('finally done');
        await release.promise;
      });

      expect(result.outcome).toMatchObject({ status: 'failed', error: 'handler timed out after 30 ms' });
      expect(result.logs[0]?.message).toMatch(/^failed: handler timed out after 30 ms/);
      expect(signal?.aborted).toBe(true);

      finishLogging?.();
      release.resolve();
      expect(late).toEqual([expect.objectContaining({ messageId: 'm-1', message: 'finally done' })]);
    });
  });

  describe('when the command has no handler', () => {
    it('reports fatal "no handler"', async () => {
      const { runner } = setup();

      const result = await runner.run(undefined, { ...message, command: 'Nobody' });

      expect(result.outcome).toMatchObject({
        status: 'fatal',
        error: 'no handler for command Nobody in segment:hr',
      });
    });
  });

  it('aborts the handler signal when the caller abandons the attempt (shutdown)', async () => {
    const { run } = setup();
    const abandon = new AbortController();
    const started = deferred<AbortSignal>();

    const running = run(
      (_m, { signal }) =>
        new Promise<void>((resolve) => {
          started.resolve(signal);
          signal.addEventListener('abort', () => resolve());
        }),
      abandon.signal,
    );
    const signal = await started.promise;
    abandon.abort(new Error('shutting down'));

    await expect(running).resolves.toMatchObject({ outcome: { status: 'succeeded' } });
    expect(signal.reason).toEqual(new Error('shutting down'));
  });
});
