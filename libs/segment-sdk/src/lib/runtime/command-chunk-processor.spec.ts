import { SmartLinkHeaders, type ConsumedMessage } from '@smartlink/messaging';
import {
  commandRecord,
  consumed,
  deferred,
  fixedClock,
  RecordingProducer,
  RecordingStdout,
} from '../../../test/unit-doubles';
import { AttemptEndedError } from '../errors/attempt-ended-error';
import { FatalSegmentError } from '../errors/fatal-segment-error';
import { SegmentShutdownError } from '../errors/segment-shutdown-error';
import type { CommandHandler } from '../handler/command-handler';
import { CommandRegistry } from '../handler/command-registry';
import type { SegmentMessage } from '../handler/segment-message';
import { LateLogBuffer } from '../logging/late-log-buffer';
import { handlerPublishId } from '../publishing/reply-message-id';
import { SegmentStats } from '../stats/segment-stats';
import { AttemptRunner } from './attempt-runner';
import { CommandChunkProcessor } from './command-chunk-processor';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { FinishedAttempts } from './finished-attempts';
import { ShutdownGrace } from './shutdown-grace';

const heartbeat = { heartbeat: async () => undefined };

function setup(
  handlers: Record<string, CommandHandler>,
  { concurrency = 4, handlerTimeoutMs = 5_000, dedupCapacity = 100 } = {},
) {
  const registry = new CommandRegistry();
  for (const [command, handler] of Object.entries(handlers)) registry.register(command, handler);
  const producer = new RecordingProducer();
  const stats = new SegmentStats('hr');
  const stdout = new RecordingStdout();
  const grace = new ShutdownGrace();
  const lateLogs = new LateLogBuffer();
  const processor = new CommandChunkProcessor({
    source: 'segment:hr',
    topics: { outbound: 'ns.outbound', outcomes: 'ns.outcomes', logs: 'ns.logs' },
    registry,
    producer,
    runner: new AttemptRunner({
      source: 'segment:hr',
      handlerTimeoutMs,
      maxPublishBytes: 1_024,
      stdout,
      clock: fixedClock,
      lateLogs: (record) => lateLogs.add(record),
    }),
    finished: new FinishedAttempts(dedupCapacity),
    limiter: new ConcurrencyLimiter(concurrency),
    grace,
    lateLogs,
    stats,
    stdout,
    clock: fixedClock,
  });
  const process = (records: readonly ConsumedMessage[]) => processor.process(records, heartbeat);
  return { process, producer, stats, stdout, grace, lateLogs };
}

/** A handler that records the ids it ran. */
function recording(runs: string[], body: CommandHandler = () => undefined): CommandHandler {
  return (message, context) => {
    runs.push(`${message.id}#${message.attempt}`);
    return body(message, context);
  };
}

describe('CommandChunkProcessor', () => {
  it('runs each message and publishes every outcome and log of the chunk in one send', async () => {
    const runs: string[] = [];
    const { process, producer } = setup({
      DemoPing: recording(runs, (m, { logger }) => logger.info(`pong ${m.id}`)),
      DemoFail: recording(runs, () => {
        throw new Error('nope');
      }),
      DemoFatal: recording(runs, () => {
        throw new FatalSegmentError('never');
      }),
    });

    await process([
      commandRecord({ id: 'a' }),
      commandRecord({ id: 'b', command: 'DemoFail' }),
      commandRecord({ id: 'c', command: 'DemoFatal' }),
    ]);

    expect(producer.batches).toHaveLength(1);
    expect(producer.batches[0]?.map((entry) => entry.topic)).toEqual([
      'ns.outbound',
      'ns.outcomes',
      'ns.logs',
    ]);
    expect(producer.outcomes().map((o) => [o.messageId, o.status, o.error])).toEqual([
      ['a', 'succeeded', undefined],
      ['b', 'failed', 'nope'],
      ['c', 'fatal', 'never'],
    ]);
    expect(producer.logs().map((l) => [l.messageId, l.message])).toEqual([
      ['a', 'pong a'],
      ['b', 'failed: nope'],
      ['c', 'fatal: never'],
    ]);
    expect(producer.batches[0]?.[1]?.records[0]?.key).toBe('a');
  });

  it('resolves (letting the offsets commit) only after the outcomes are durable', async () => {
    const { process, producer } = setup({ DemoPing: () => undefined });
    const send = deferred();
    producer.gate = send.promise;
    let resolved = false;

    const chunk = process([commandRecord()]).then(() => {
      resolved = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);

    send.resolve();
    await chunk;
    expect(resolved).toBe(true);
    expect(producer.outcomes()).toHaveLength(1);
  });

  describe('when publishing the outcomes fails', () => {
    it('rejects, so nothing is committed, and answers the redelivery from memory without running again', async () => {
      const runs: string[] = [];
      const { process, producer, stats } = setup({
        DemoPing: recording(runs, (_m, { logger }) => logger.info('did the work')),
      });
      producer.failures = 1;
      const chunk = [commandRecord({ id: 'a' }), commandRecord({ id: 'b' })];

      await expect(process(chunk)).rejects.toThrow('broker unavailable');
      await process(chunk);

      expect(runs).toEqual(['a#1', 'b#1']);
      expect(producer.outcomes().map((o) => o.messageId)).toEqual(['a', 'b']);
      // The first run's logs were never published; they go out with the remembered outcomes.
      expect(producer.logs().map((l) => l.message)).toEqual(['did the work', 'did the work']);
      expect(stats.duplicatesAbsorbed).toBe(2);
      expect(stats.count('DemoPing', 'succeeded')).toBe(2);
    });
  });

  describe('when an (id, attempt) is delivered again', () => {
    it('republishes the remembered outcome without running the handler, and counts it', async () => {
      const runs: string[] = [];
      const { process, producer, stats } = setup({
        DemoPing: recording(runs, (_m, { logger }) => logger.info('once')),
      });

      await process([commandRecord({ id: 'a', attempt: 1 })]);
      await process([commandRecord({ id: 'a', attempt: 1 }), commandRecord({ id: 'a', attempt: 2 })]);

      expect(runs).toEqual(['a#1', 'a#2']);
      expect(producer.outcomes().map((o) => `${o.messageId}#${o.attempt}`)).toEqual(['a#1', 'a#1', 'a#2']);
      expect(producer.logs()).toHaveLength(2); // logs already published are not published again
      expect(stats.duplicatesAbsorbed).toBe(1);
    });

    it('runs a duplicate inside one chunk once and answers it once', async () => {
      const runs: string[] = [];
      const { process, producer, stats } = setup({ DemoPing: recording(runs) });

      await process([commandRecord({ id: 'a' }), commandRecord({ id: 'a' })]);

      expect(runs).toEqual(['a#1']);
      expect(producer.outcomes()).toHaveLength(1);
      expect(stats.duplicatesAbsorbed).toBe(1);
    });

    it('waits for a delivery still running elsewhere instead of running twice', async () => {
      const runs: string[] = [];
      const gate = deferred();
      const { process, producer, stats } = setup({ DemoPing: recording(runs, () => gate.promise) });

      const first = process([commandRecord({ id: 'a' })]);
      const second = process([commandRecord({ id: 'a' })]);
      gate.resolve();
      await Promise.all([first, second]);

      expect(runs).toEqual(['a#1']);
      expect(producer.outcomes()).toHaveLength(2);
      expect(stats.duplicatesAbsorbed).toBe(1);
    });
  });

  describe('when a record is not a readable command message', () => {
    it('answers fatal when the headers name the message and attempt, and still handles the good ones', async () => {
      const runs: string[] = [];
      const { process, producer, stats } = setup({ DemoPing: recording(runs) });

      await process([
        consumed({
          key: 'bad-1',
          value: '{not json',
          headers: { [SmartLinkHeaders.messageId]: 'bad-1', [SmartLinkHeaders.attempt]: '2' },
        }),
        commandRecord({ id: 'good' }),
      ]);

      expect(runs).toEqual(['good#1']);
      expect(producer.outcomes()).toEqual([
        expect.objectContaining({
          messageId: 'bad-1',
          attempt: 2,
          status: 'fatal',
          error: expect.stringMatching(/^undecodable command message on ns\.cmd\.DemoPing .*not JSON$/),
        }),
        expect.objectContaining({ messageId: 'good', status: 'succeeded' }),
      ]);
      expect(producer.logs()).toEqual([expect.objectContaining({ messageId: 'bad-1', type: 2 })]);
      expect(stats.snapshot().undecodable).toBe(1);
    });

    it('only logs it when there is no message id or attempt to answer', async () => {
      const { process, producer, stdout } = setup({ DemoPing: () => undefined });

      await process([
        consumed({ key: 'x', value: JSON.stringify({ id: 'x', command: 'DemoPing' }) }),
        consumed({ key: 'y', value: Buffer.from([0xff]), headers: { [SmartLinkHeaders.messageId]: 'y' } }),
      ]);

      expect(producer.outcomes()).toEqual([]);
      expect(producer.logs()).toEqual([
        expect.not.objectContaining({ messageId: expect.anything() }),
        expect.objectContaining({ messageId: 'y', message: expect.stringContaining('not valid UTF-8') }),
      ]);
      expect(stdout.lines.filter((l) => l.level === 'error')).toHaveLength(2);
    });
  });

  it('runs at most `concurrency` handlers at once', async () => {
    let running = 0;
    let most = 0;
    const { process, producer } = setup(
      {
        DemoPing: async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((r) => setImmediate(r));
          running -= 1;
        },
      },
      { concurrency: 2 },
    );

    await process(['a', 'b', 'c', 'd', 'e'].map((id) => commandRecord({ id })));

    expect(most).toBe(2);
    expect(producer.outcomes()).toHaveLength(5);
  });

  it('runs the records of one message id one after the other, in offset order', async () => {
    const events: string[] = [];
    const { process } = setup({
      DemoPing: async (m: SegmentMessage) => {
        events.push(`start ${m.attempt}`);
        await new Promise((r) => setImmediate(r));
        events.push(`end ${m.attempt}`);
      },
    });

    await process([commandRecord({ id: 'a', attempt: 1 }), commandRecord({ id: 'a', attempt: 2 })]);

    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('publishes what handlers logged after their timeout with the next chunk', async () => {
    const late = deferred();
    const { process, producer } = setup(
      {
        DemoSlow: async (_m, { logger }) => {
          await late.promise;
          logger.warn('finished after all');
        },
        DemoPing: () => undefined,
      },
      { handlerTimeoutMs: 20 },
    );

    await process([commandRecord({ id: 'slow', command: 'DemoSlow' })]);
    late.resolve();
    await new Promise((r) => setImmediate(r));
    await process([commandRecord({ id: 'next' })]);

    expect(producer.outcomes().map((o) => [o.messageId, o.error])).toEqual([
      ['slow', 'handler timed out after 20 ms'],
      ['next', undefined],
    ]);
    expect(producer.batches[1]?.[2]?.records.map((r) => r.key)).toEqual(['slow']);
  });

  describe('when a handler publishes', () => {
    const replying: CommandHandler = (message, { reply, publish }) => {
      reply({ command: 'DemoPong', audience: 'demo-app', data: `{"ping":"${message.id}"}` });
      publish({ command: 'DemoNotice', audience: 'other-app', data: 'plain text' });
    };

    it('sends the replies in the same batch as the outcome, ahead of it, correlated to the handled message', async () => {
      const { process, producer, stats } = setup({ DemoPing: replying });

      await process([commandRecord({ id: 'a' })]);

      expect(producer.batches).toHaveLength(1);
      expect(producer.batches[0]?.map((entry) => [entry.topic, entry.records.length])).toEqual([
        ['ns.outbound', 2],
        ['ns.outcomes', 1],
        ['ns.logs', 0],
      ]);
      expect(producer.outbound()).toEqual([
        {
          id: handlerPublishId('a', 1),
          command: 'DemoPong',
          audience: 'demo-app',
          data: '{"ping":"a"}',
          correlatedId: 'a',
        },
        { id: handlerPublishId('a', 2), command: 'DemoNotice', audience: 'other-app', data: 'plain text' },
      ]);
      expect(producer.outcomes()[0]).toMatchObject({ messageId: 'a', status: 'succeeded' });
      expect(stats.snapshot().published).toBe(2);
    });

    it('gives a later attempt of the same message the same ids, so the executor sends each reply once', async () => {
      const { process, producer } = setup({ DemoPing: replying });

      await process([commandRecord({ id: 'a', attempt: 1 })]);
      await process([commandRecord({ id: 'a', attempt: 2 })]);

      const ids = producer.outbound().map((m) => m.id);
      expect(ids).toEqual([handlerPublishId('a', 1), handlerPublishId('a', 2), ...ids.slice(0, 2)]);
    });

    it('publishes nothing for an attempt that fails', async () => {
      const { process, producer } = setup({
        DemoPing: (message, context) => {
          replying(message, context);
          throw new Error('the ledger is locked');
        },
      });

      await process([commandRecord({ id: 'a' })]);

      expect(producer.outbound()).toEqual([]);
      expect(producer.outcomes()[0]).toMatchObject({ status: 'failed' });
    });

    it('refuses an invalid message inside the handler, which fails the attempt', async () => {
      const { process, producer } = setup({
        DemoPing: (_message, { reply }) => {
          reply({ command: 'DemoPong', audience: 'not/valid', data: '' });
        },
      });

      await process([commandRecord({ id: 'a' })]);

      expect(producer.outbound()).toEqual([]);
      expect(producer.outcomes()[0]).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('Cannot publish: audience is illegal'),
      });
    });

    it('sends the replies again with the redelivered outcome when the first send failed, without running again', async () => {
      const runs: string[] = [];
      const { process, producer } = setup({ DemoPing: recording(runs, replying) });
      producer.failures = 1;

      await expect(process([commandRecord({ id: 'a' })])).rejects.toThrow('broker unavailable');
      await process([commandRecord({ id: 'a' })]);

      expect(runs).toEqual(['a#1']);
      expect(producer.outbound().map((m) => m.id)).toEqual([
        handlerPublishId('a', 1),
        handlerPublishId('a', 2),
      ]);
    });

    it('refuses a publish after the attempt timed out', async () => {
      const late = deferred();
      let lateError: unknown;
      const { process, producer } = setup(
        {
          DemoPing: async (_message, { reply }) => {
            await late.promise;
            try {
              reply({ command: 'DemoPong', audience: 'demo-app', data: '' });
            } catch (error) {
              lateError = error;
            }
          },
        },
        { handlerTimeoutMs: 20 },
      );

      await process([commandRecord({ id: 'slow' })]);
      late.resolve();
      await new Promise((r) => setImmediate(r));

      expect(lateError).toBeInstanceOf(AttemptEndedError);
      expect(producer.outbound()).toEqual([]);
    });
  });

  describe('when the shutdown grace runs out', () => {
    it('publishes what finished, starts nothing more, and hands the chunk back uncommitted', async () => {
      const runs: string[] = [];
      const stuck = deferred();
      const { process, producer, grace } = setup(
        {
          DemoPing: recording(runs),
          DemoStuck: recording(runs, () => stuck.promise),
        },
        { concurrency: 1 },
      );

      const chunk = process([
        commandRecord({ id: 'quick' }),
        commandRecord({ id: 'stuck', command: 'DemoStuck' }),
        commandRecord({ id: 'never-started' }),
      ]);
      await new Promise((r) => setImmediate(r));
      grace.end();

      await expect(chunk).rejects.toThrow(SegmentShutdownError);
      await expect(chunk).rejects.toThrow(/2 message\(s\) not finished/);
      stuck.resolve();
      expect(runs).toEqual(['quick#1', 'stuck#1']);
      expect(producer.outcomes().map((o) => o.messageId)).toEqual(['quick']);
    });
  });

  it('counts handled attempts per command and status', async () => {
    const { process, stats } = setup({
      DemoPing: () => undefined,
      DemoFail: () => {
        throw new Error('x');
      },
    });

    await process([
      commandRecord({ id: 'a' }),
      commandRecord({ id: 'b' }),
      commandRecord({ id: 'c', command: 'DemoFail' }),
      commandRecord({ id: 'd', command: 'Unregistered' }),
    ]);

    expect(stats.snapshot()).toEqual({
      segment: 'hr',
      handled: {
        DemoPing: { succeeded: 2, failed: 0, fatal: 0 },
        DemoFail: { succeeded: 0, failed: 1, fatal: 0 },
        Unregistered: { succeeded: 0, failed: 0, fatal: 1 },
      },
      duplicatesAbsorbed: 0,
      undecodable: 0,
      running: 0,
      published: 0,
    });
    expect(stats.count()).toBe(4);
  });
});
