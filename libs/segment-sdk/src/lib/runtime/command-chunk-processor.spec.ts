import { SmartLinkHeaders, type ConsumedMessage } from '@smartlink/messaging';
import {
  commandRecord,
  consumed,
  deferred,
  fixedClock,
  NOW,
  RecordingProducer,
  RecordingStdout,
} from '../../../test/unit-doubles';
import { FatalSegmentError } from '../errors/fatal-segment-error';
import { SegmentShutdownError } from '../errors/segment-shutdown-error';
import type { CommandHandler } from '../handler/command-handler';
import { CommandRegistry } from '../handler/command-registry';
import { LateLogBuffer } from '../logging/late-log-buffer';
import { handlerPublishId } from '../publishing/reply-message-id';
import { SegmentStats } from '../stats/segment-stats';
import { AttemptRunner } from './attempt-runner';
import { CommandChunkProcessor } from './command-chunk-processor';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { FinishedAttempts } from './finished-attempts';
import { SegmentOutbox } from './segment-outbox';
import { ShutdownGrace } from './shutdown-grace';
import { START_BUDGET_MS, StartPace } from './start-pace';

/** Lets pending promise callbacks and immediates run until `done` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i += 1) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}

function setup(
  handlers: Record<string, CommandHandler>,
  {
    concurrency = 4,
    handlerTimeoutMs = 5_000,
    dedupCapacity = 100,
    pace,
    clock = fixedClock,
  }: {
    concurrency?: number;
    handlerTimeoutMs?: number;
    dedupCapacity?: number;
    pace?: StartPace;
    clock?: () => Date;
  } = {},
) {
  const registry = new CommandRegistry();
  for (const [command, handler] of Object.entries(handlers)) registry.register(command, handler);
  const producer = new RecordingProducer();
  const stats = new SegmentStats('hr');
  const stdout = new RecordingStdout();
  const grace = new ShutdownGrace();
  const limiter = new ConcurrencyLimiter(concurrency);
  const lateLogs = new LateLogBuffer();
  /** What happened, in order: `send:<marker ids>`, `commit:<offset>`, `run:<id>#<attempt>`. */
  const events: string[] = [];
  const sendBatch = producer.sendBatch.bind(producer);
  producer.sendBatch = async (batches) => {
    await sendBatch(batches);
    const markers = producer.markers().length;
    events.push(`send:${markers}`);
  };
  const outbox = new SegmentOutbox({
    topics: { outbound: 'ns.outbound', outcomes: 'ns.outcomes', logs: 'ns.logs' },
    producer,
    lateLogs,
    stdout,
    backoff: async () => undefined,
  });
  const processor = new CommandChunkProcessor({
    source: 'segment:hr',
    instance: 'pod-1 pid 7',
    outcomeMarginMs: 10_000,
    handlerTimeoutMs,
    registry,
    outbox,
    runner: new AttemptRunner({
      source: 'segment:hr',
      handlerTimeoutMs,
      maxPublishBytes: 1_024,
      stdout,
      clock: fixedClock,
      lateLogs: (record) => lateLogs.add(record),
    }),
    finished: new FinishedAttempts(dedupCapacity),
    limiter,
    grace,
    stats,
    stdout,
    clock,
    pace: pace ?? new StartPace(concurrency, 0),
  });
  const commits: string[] = [];
  let failCommits = 0;
  const context = {
    heartbeat: async () => undefined,
    commit: async (offset: string) => {
      if (failCommits > 0) {
        failCommits -= 1;
        throw new Error('the group is rebalancing');
      }
      commits.push(offset);
      events.push(`commit:${offset}`);
    },
  };
  const process = (records: readonly ConsumedMessage[]) => processor.process(records, context);
  const settled = () =>
    until(() => processor.running === 0 && outbox.pending === 0, 'every attempt answered');
  return {
    process,
    processor,
    limiter,
    producer,
    stats,
    stdout,
    grace,
    commits,
    events,
    settled,
    failNextCommit: () => (failCommits += 1),
  };
}

/** A handler that records the ids it ran, into `events` too when given. */
function recording(
  runs: string[],
  body: CommandHandler = () => undefined,
  events?: string[],
): CommandHandler {
  return (message, context) => {
    runs.push(`${message.id}#${message.attempt}`);
    events?.push(`run:${message.id}#${message.attempt}`);
    return body(message, context);
  };
}

describe('CommandChunkProcessor', () => {
  it('makes the started markers durable and commits past the records, together, before any handler runs', async () => {
    const runs: string[] = [];
    const s = setup({
      DemoPing: (message) => {
        runs.push(`${message.id}#${message.attempt}`);
        s.events.push(`run:${message.id}#${message.attempt}`);
      },
    });
    const records = [commandRecord({ id: 'a' }), commandRecord({ id: 'b' })];
    const [first, second] = records as [ConsumedMessage, ConsumedMessage];
    const markersHeld = deferred();
    s.producer.gate = markersHeld.promise;

    const chunk = s.process(records);
    // The commit does not wait for the markers (one round trip, not two), and no handler starts without both.
    await until(() => s.commits.length === 1, 'the commit, while the markers are held');
    expect(s.events).toEqual([`commit:${second.offset}`]);
    expect(runs).toEqual([]);
    s.producer.gate = null;
    markersHeld.resolve();
    await chunk;
    await s.settled();

    expect(s.events.slice(0, 2)).toEqual([`commit:${second.offset}`, 'send:2']);
    expect(s.events.indexOf('send:2')).toBeLessThan(s.events.indexOf('run:a#1'));
    expect(first.offset < second.offset).toBe(true);
    expect(s.producer.markers()).toEqual([
      {
        messageId: 'a',
        attempt: 1,
        status: 'started',
        startedAt: NOW.toISOString(),
        outcomeDueBy: new Date(NOW.getTime() + 5_000 + 10_000).toISOString(),
        instance: 'pod-1 pid 7',
      },
      expect.objectContaining({ messageId: 'b', status: 'started' }),
    ]);
    expect(runs).toEqual(['a#1', 'b#1']);
    expect(s.producer.outcomes().map((o) => [o.messageId, o.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
    ]);
  });

  it('runs no handler when the commit fails, and rejects so the records come again', async () => {
    const runs: string[] = [];
    const s = setup({ DemoPing: recording(runs) });
    s.failNextCommit();

    await expect(s.process([commandRecord({ id: 'a' })])).rejects.toThrow('rebalancing');

    expect(runs).toEqual([]);
    expect(s.processor.running).toBe(0);
  });

  it('resolves once its records started, and sends each outcome as soon as it is known', async () => {
    const slow = deferred();
    const runs: string[] = [];
    const s = setup({
      DemoPing: recording(runs, async (m) => {
        if (m.id === 'slow') await slow.promise;
      }),
    });

    await s.process([commandRecord({ id: 'slow' }), commandRecord({ id: 'fast' })]);
    await until(() => s.producer.outcomes().length === 1, 'the fast outcome');

    expect(s.producer.outcomes()[0]).toMatchObject({ messageId: 'fast', status: 'succeeded' });
    slow.resolve();
    await s.settled();
    expect(s.producer.outcomes().map((o) => o.messageId)).toEqual(['fast', 'slow']);
  });

  it('starts at most `concurrency` handlers at once, each group with one marker send and one commit', async () => {
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let peak = 0;
    const s = setup(
      {
        DemoPing: async (m) => {
          running += 1;
          peak = Math.max(peak, running);
          await gates[Number(m.id)]?.promise;
          running -= 1;
        },
      },
      { concurrency: 2 },
    );
    const records = [0, 1, 2].map((n) => commandRecord({ id: String(n) }));

    const chunk = s.process(records);
    await until(() => running === 2, 'two handlers running');
    expect(s.commits).toEqual([(records[1] as ConsumedMessage).offset]);
    gates[0]?.resolve();
    await chunk;
    gates[1]?.resolve();
    gates[2]?.resolve();
    await s.settled();

    expect(peak).toBe(2);
    expect(s.commits).toEqual(records.slice(1).map((r) => r.offset));
  });

  it('leaves nothing on the shutdown grace once a record stopped waiting for its slot', async () => {
    const gate = deferred();
    const runs: string[] = [];
    const s = setup({ DemoPing: recording(runs, () => gate.promise) }, { concurrency: 1 });

    const chunk = s.process(['a', 'b', 'c'].map((id) => commandRecord({ id })));
    await until(() => s.grace.waitingForBegin === 1, 'a record waiting for the slot');
    gate.resolve();
    await chunk;
    await s.settled();

    expect(runs).toEqual(['a#1', 'b#1', 'c#1']);
    expect(s.grace.waitingForBegin).toBe(0);
  });

  it("frees a handler's slot when the handler ends, while its outcome is still on its way", async () => {
    const outcomeHeld = deferred();
    const runs: string[] = [];
    const s = setup(
      {
        DemoPing: (message) => {
          runs.push(message.id);
          s.producer.gate = outcomeHeld.promise; // the marker went out already: the outcome's send waits
        },
      },
      { concurrency: 1 },
    );

    await s.process([commandRecord({ id: 'b' })]);
    await until(() => runs.includes('b') && s.limiter.running === 0, 'the handler ended and its slot free');

    expect(s.processor.running).toBe(1);
    expect(s.producer.outcomes()).toEqual([]);
    s.producer.gate = null;
    outcomeHeld.resolve();
    await s.settled();
    expect(s.producer.outcomes().map((o) => [o.messageId, o.status])).toEqual([['b', 'succeeded']]);
  });

  it('runs a record marked run-alone with nothing beside it', async () => {
    const first = deferred();
    const alone = deferred();
    const running = new Set<string>();
    const overlaps: string[] = [];
    const s = setup({
      DemoPing: async (m) => {
        running.add(m.id);
        if (m.id === 'poison' && running.size > 1) overlaps.push([...running].join(','));
        if (m.id === 'before') await first.promise;
        if (m.id === 'poison') await alone.promise;
        if (m.id === 'after' && running.has('poison')) overlaps.push('after beside poison');
        running.delete(m.id);
      },
    });

    const chunk = s.process([
      commandRecord({ id: 'before' }),
      commandRecord({ id: 'poison', attempt: 2 }, { runAlone: true }),
      commandRecord({ id: 'after' }),
    ]);
    await until(() => running.has('before'), 'the first handler');
    expect(running.has('poison')).toBe(false);
    first.resolve();
    await until(() => running.has('poison'), 'the run-alone handler');
    expect([...running]).toEqual(['poison']);
    alone.resolve();
    await chunk;
    await s.settled();

    expect(overlaps).toEqual([]);
    expect(s.producer.outcomes()).toHaveLength(3);
  });

  it('runs only the latest attempt of a message when the chunk holds older ones, and commits them all', async () => {
    const runs: string[] = [];
    const s = setup({ DemoPing: recording(runs) });

    // After a broker outage the sweep retried attempt 1 (dispatched too long ago); both records arrive together.
    const records = [
      commandRecord({ id: 'a', attempt: 1 }),
      commandRecord({ id: 'b', attempt: 1 }),
      commandRecord({ id: 'a', attempt: 2 }),
    ];
    await s.process(records);
    await s.settled();

    expect(runs.sort()).toEqual(['a#2', 'b#1']);
    expect(
      s.producer
        .markers()
        .map((m) => `${m.messageId}#${m.attempt}`)
        .sort(),
    ).toEqual(['a#2', 'b#1']);
    expect(
      s.producer
        .outcomes()
        .map((o) => `${o.messageId}#${o.attempt}`)
        .sort(),
    ).toEqual(['a#2', 'b#1']);
    expect(s.commits.at(-1)).toBe((records[2] as ConsumedMessage).offset);
    expect(s.stats.snapshot().superseded).toBe(1);
  });

  describe('when a record carries a start deadline', () => {
    it('answers one that arrives past it with a failed outcome saying so, without a marker or a handler run', async () => {
      const runs: string[] = [];
      const s = setup({ DemoPing: recording(runs) });
      const startBy = new Date(NOW.getTime() - 1_500);

      await s.process([
        commandRecord({ id: 'late' }, { startBy }),
        commandRecord({ id: 'in-time' }, { startBy: NOW }),
      ]);
      await s.settled();

      expect(runs).toEqual(['in-time#1']);
      expect(s.producer.markers().map((m) => m.messageId)).toEqual(['in-time']);
      expect(s.producer.outcomes()).toEqual(
        expect.arrayContaining([
          {
            messageId: 'late',
            attempt: 1,
            status: 'failed',
            error: expect.stringMatching(
              new RegExp(`^not started: .* 1500 ms after its start deadline ${startBy.toISOString()}`),
            ),
            startedAt: NOW.toISOString(),
            finishedAt: NOW.toISOString(),
          },
          expect.objectContaining({ messageId: 'in-time', status: 'succeeded' }),
        ]),
      );
      expect(s.stats.snapshot().missedStartDeadline).toBe(1);
      expect(s.stdout.lines.filter((l) => l.level === 'warn').map((l) => l.text)).toEqual([
        expect.stringContaining('DemoPing late attempt 1: not started'),
      ]);
    });

    it('runs a record whose deadline header cannot be read, as records without one', async () => {
      const runs: string[] = [];
      const s = setup({ DemoPing: recording(runs) });
      const record = commandRecord({ id: 'a' });

      await s.process([{ ...record, headers: { ...record.headers, [SmartLinkHeaders.startBy]: 'soon' } }]);
      await s.settled();

      expect(runs).toEqual(['a#1']);
    });
  });

  it('runs two copies of one (id, attempt) in the same chunk once (a producer retry may write a record twice)', async () => {
    const runs: string[] = [];
    const s = setup({ DemoPing: recording(runs) });

    await s.process([commandRecord({ id: 'a' }), commandRecord({ id: 'a' }), commandRecord({ id: 'b' })]);
    await s.settled();

    expect(runs).toEqual(['a#1', 'b#1']);
    expect(s.producer.markers().map((m) => m.messageId)).toEqual(['a', 'b']);
    expect(s.producer.outcomes().map((o) => o.messageId)).toEqual(['a', 'b']);
    expect(s.stats.duplicatesAbsorbed).toBe(1);
  });

  describe('when an (id, attempt) is delivered again', () => {
    it('sends the remembered outcome again without running the handler, and counts it', async () => {
      const runs: string[] = [];
      const s = setup({ DemoPing: recording(runs) });

      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();
      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();

      expect(runs).toEqual(['a#1']);
      expect(s.producer.outcomes().map((o) => o.messageId)).toEqual(['a', 'a']);
      expect(s.producer.markers()).toHaveLength(1);
      expect(s.stats.duplicatesAbsorbed).toBe(1);
    });

    it('runs a duplicate arriving while the first still runs once, with one outcome', async () => {
      const gate = deferred();
      const runs: string[] = [];
      const s = setup({ DemoPing: recording(runs, () => gate.promise) });

      await s.process([commandRecord({ id: 'a' })]);
      await s.process([commandRecord({ id: 'a' })]);
      gate.resolve();
      await s.settled();

      expect(runs).toEqual(['a#1']);
      expect(s.producer.outcomes()).toHaveLength(1);
    });
  });

  describe('when a record is not a readable command message', () => {
    it('answers fatal when the headers name the message and attempt, and still runs the good ones', async () => {
      const runs: string[] = [];
      const s = setup({ DemoPing: recording(runs) });

      await s.process([
        consumed({
          key: 'bad-1',
          value: '{not json',
          headers: { [SmartLinkHeaders.messageId]: 'bad-1', [SmartLinkHeaders.attempt]: '2' },
        }),
        commandRecord({ id: 'good' }),
      ]);
      await s.settled();

      expect(runs).toEqual(['good#1']);
      expect(s.producer.outcomes()).toEqual([
        expect.objectContaining({
          messageId: 'bad-1',
          attempt: 2,
          status: 'fatal',
          error: expect.stringMatching(/^undecodable command message on ns\.cmd\.DemoPing .*not JSON$/),
        }),
        expect.objectContaining({ messageId: 'good', status: 'succeeded' }),
      ]);
      expect(s.producer.logs()).toEqual([expect.objectContaining({ messageId: 'bad-1', type: 2 })]);
      expect(s.stats.snapshot().undecodable).toBe(1);
    });
  });

  describe('log lines', () => {
    it("carry an attempt's lines in its outcome, none on the logs topic", async () => {
      const s = setup({
        DemoPing: (message, { logger }) => {
          logger.info(`ran ${message.id}`);
          logger.warn('slow');
        },
      });

      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();

      expect(s.producer.outcomes()).toEqual([
        expect.objectContaining({
          messageId: 'a',
          status: 'succeeded',
          logs: [
            { type: 0, message: 'ran a', date: NOW.toISOString(), source: 'segment:hr' },
            { type: 1, message: 'slow', date: NOW.toISOString(), source: 'segment:hr' },
          ],
        }),
      ]);
      expect(s.producer.logs()).toEqual([]);
    });

    it('carry the failure line with its stack in a failed outcome', async () => {
      const s = setup({
        DemoPing: () => {
          throw new Error('HR database timeout');
        },
      });

      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();

      const [outcome] = s.producer.outcomes();
      expect(outcome?.status).toBe('failed');
      expect(outcome?.logs).toEqual([
        expect.objectContaining({
          type: 2,
          message: 'failed: HR database timeout',
          debug: expect.any(String),
        }),
      ]);
      expect(s.producer.logs()).toEqual([]);
    });

    it('send a line logged after the outcome left to the logs topic, with the next send', async () => {
      let saved: Parameters<CommandHandler>[1]['logger'] | undefined;
      const s = setup({
        DemoPing: (_message, { logger }) => {
          saved = logger;
        },
      });
      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();

      saved?.info('too late');
      await s.process([commandRecord({ id: 'b' })]);
      await s.settled();

      expect(s.producer.outcomes().map((o) => [o.messageId, o.logs])).toEqual([
        ['a', undefined],
        ['b', undefined],
      ]);
      expect(s.producer.logs()).toEqual([expect.objectContaining({ messageId: 'a', message: 'too late' })]);
    });

    it('answer a redelivered attempt with its outcome, without its lines again', async () => {
      const s = setup({ DemoPing: (_message, { logger }) => logger.info('once') });
      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();

      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();

      expect(s.producer.outcomes().map((o) => o.logs?.map((l) => l.message))).toEqual([['once'], undefined]);
    });
  });

  describe('when a handler publishes', () => {
    it('sends the replies in the same send as the outcome, ahead of it', async () => {
      const s = setup({
        DemoPing: (message, { reply }) => {
          reply({ command: 'DemoPong', audience: 'demo-app', data: `{"ping":"${message.id}"}` });
        },
      });

      await s.process([commandRecord({ id: 'a' })]);
      await s.settled();

      const withOutcome = s.producer.batches.find((batch) =>
        batch.some((entry) => entry.topic === 'ns.outbound'),
      );
      expect(withOutcome?.map((entry) => [entry.topic, entry.records.length])).toEqual(
        [
          ['ns.outbound', 1],
          ['ns.outcomes', 1],
          ['ns.logs', 0],
        ].filter(([, n]) => n !== 0),
      );
      expect(s.producer.outbound().map((m) => m.id)).toEqual([handlerPublishId('a', 1)]);
      expect(s.stats.snapshot().published).toBe(1);
    });
  });

  describe('when the shutdown grace runs out', () => {
    it('starts nothing more, hands the unstarted records back, and reports running attempts as failed', async () => {
      const gate = deferred();
      const runs: string[] = [];
      const s = setup({ DemoPing: recording(runs, () => gate.promise) }, { concurrency: 1 });

      const chunk = s.process([commandRecord({ id: 'a' }), commandRecord({ id: 'b' })]);
      await until(() => runs.length === 1, 'the first handler');
      s.grace.end();

      await expect(chunk).rejects.toBeInstanceOf(SegmentShutdownError);
      expect(await s.processor.drain()).toBe(1);
      expect(runs).toEqual(['a#1']);
      expect(s.producer.outcomes()).toEqual([
        expect.objectContaining({
          messageId: 'a',
          status: 'failed',
          error: 'the segment shut down while the handler ran; the attempt is retried',
        }),
      ]);
      gate.resolve();
      await until(() => s.processor.running === 0, 'the handler to end');
      expect(s.producer.outcomes()).toHaveLength(1);
    });
  });

  describe('once shutdown begins', () => {
    it('starts no record that waits for a slot, even when a slot frees within the grace', async () => {
      const gate = deferred();
      const runs: string[] = [];
      const s = setup({ DemoPing: recording(runs, () => gate.promise) }, { concurrency: 1 });

      const chunk = s.process([commandRecord({ id: 'a' }), commandRecord({ id: 'b' })]);
      await until(() => runs.length === 1, 'the first handler');
      s.grace.begin(60_000);

      await expect(chunk).rejects.toBeInstanceOf(SegmentShutdownError);
      gate.resolve();
      expect(await s.processor.drain()).toBe(0);
      expect(runs).toEqual(['a#1']);
      expect(s.producer.outcomes()).toEqual([
        expect.objectContaining({ messageId: 'a', status: 'succeeded' }),
      ]);
      expect(s.producer.markers().map((m) => m.messageId)).toEqual(['a']);
      s.grace.end();
    });
  });

  it('counts handled attempts per command and status', async () => {
    const s = setup({
      DemoPing: () => undefined,
      DemoFatal: () => {
        throw new FatalSegmentError('never');
      },
    });

    await s.process([commandRecord({ id: 'a' }), commandRecord({ id: 'b', command: 'DemoFatal' })]);
    await s.settled();

    expect(s.stats.count('DemoPing', 'succeeded')).toBe(1);
    expect(s.stats.count('DemoFatal', 'fatal')).toBe(1);
  });

  describe('with handlers fast enough to admit records ahead of a free slot', () => {
    /** A pace that has seen handlers end at once: it admits up to its cap. */
    function fastPace(concurrency: number): StartPace {
      const pace = new StartPace(concurrency, 1_000);
      pace.ended(0);
      return pace;
    }

    it('starts a whole chunk after one marker send and one commit, never more than `concurrency` at once', async () => {
      let running = 0;
      let peak = 0;
      const runs: string[] = [];
      const s = setup(
        {
          DemoPing: recording(runs, async () => {
            running += 1;
            peak = Math.max(peak, running);
            await new Promise((resolve) => setImmediate(resolve));
            running -= 1;
          }),
        },
        { concurrency: 2, pace: fastPace(2) },
      );
      const records = ['a', 'b', 'c', 'd', 'e'].map((id) => commandRecord({ id }));

      await s.process(records);
      await s.settled();

      expect(s.commits).toEqual([(records[4] as ConsumedMessage).offset]);
      expect(s.events.filter((e) => e.startsWith('send:')).slice(0, 1)).toEqual(['send:5']);
      expect(runs).toEqual(['a#1', 'b#1', 'c#1', 'd#1', 'e#1']);
      expect(peak).toBe(2);
      // The pace the stats show is the one that admitted records ahead.
      expect(s.stats.snapshot().lookahead).toBeGreaterThan(0);
      expect(s.stats.snapshot().meanHandlerMs).toEqual(expect.any(Number));
      // The records with a slot promise their outcome as before; those admitted ahead, one start budget later.
      const due = s.producer.markers().map((m) => Date.parse(m.outcomeDueBy) - NOW.getTime());
      expect(due).toEqual([
        15_000,
        15_000,
        15_000 + START_BUDGET_MS,
        15_000 + START_BUDGET_MS,
        15_000 + START_BUDGET_MS,
      ]);
      expect(s.producer.outcomes().map((o) => [o.messageId, o.status])).toEqual(
        ['a', 'b', 'c', 'd', 'e'].map((id) => [id, 'succeeded']),
      );
    });

    const startBy = new Date(NOW.getTime() + 1_000);
    it.each([
      {
        when: 'its slot frees after its start budget',
        startBy: undefined,
        slotAt: new Date(NOW.getTime() + START_BUDGET_MS + 1),
        error: /^not started: no handler slot freed within 5000 ms of the record's admission/,
      },
      {
        when: 'its start deadline passed while it waited',
        startBy,
        slotAt: new Date(startBy.getTime() + 1),
        error: /^not started: .* after its start deadline/,
      },
    ])('answers a record admitted ahead with a failed outcome, without running it, when $when', async (c) => {
      const gate = deferred();
      const runs: string[] = [];
      let now = NOW;
      const s = setup(
        { DemoPing: recording(runs, (m) => (m.id === 'slow' ? gate.promise : undefined)) },
        { concurrency: 1, pace: fastPace(1), clock: () => now },
      );

      await s.process([
        commandRecord({ id: 'slow' }),
        commandRecord({ id: 'waits' }, c.startBy ? { startBy: c.startBy } : {}),
      ]);
      await until(() => runs.length === 1, 'the first handler');
      now = c.slotAt;
      gate.resolve();
      await s.settled();

      expect(runs).toEqual(['slow#1']);
      expect(s.producer.outcomes()).toEqual([
        expect.objectContaining({ messageId: 'slow', status: 'succeeded' }),
        expect.objectContaining({
          messageId: 'waits',
          status: 'failed',
          error: expect.stringMatching(c.error),
        }),
      ]);
      expect(s.stats.snapshot().missedStartDeadline).toBe(1);
      expect(s.stdout.lines.filter((l) => l.level === 'warn').map((l) => l.text)).toEqual([
        expect.stringContaining('DemoPing waits attempt 1: not started'),
      ]);
    });

    it('answers the records still waiting when shutdown begins, at once, and runs none of them', async () => {
      const gate = deferred();
      const runs: string[] = [];
      const s = setup(
        { DemoPing: recording(runs, () => gate.promise) },
        { concurrency: 1, pace: fastPace(1) },
      );

      await s.process(['a', 'b', 'c'].map((id) => commandRecord({ id })));
      await until(() => runs.length === 1, 'the first handler');
      s.grace.begin(60_000);
      await until(() => s.producer.outcomes().length === 2, 'the waiting records answered');
      gate.resolve();

      expect(await s.processor.drain()).toBe(0);
      await s.settled();
      expect(runs).toEqual(['a#1']);
      expect(s.producer.outcomes().map((o) => [o.messageId, o.status, o.error])).toEqual([
        ['b', 'failed', 'the segment shut down before the handler started; the attempt is retried'],
        ['c', 'failed', 'the segment shut down before the handler started; the attempt is retried'],
        ['a', 'succeeded', undefined],
      ]);
      s.grace.end();
    });

    it('starts a run-alone record only after the records admitted ahead, and admits none past it', async () => {
      const gates = new Map(['a', 'b', 'poison', 'after'].map((id) => [id, deferred()]));
      const running = new Set<string>();
      const overlaps: string[] = [];
      const s = setup(
        {
          DemoPing: async (m) => {
            running.add(m.id);
            if (running.size > 1 && running.has('poison')) overlaps.push([...running].join(','));
            await gates.get(m.id)?.promise;
            running.delete(m.id);
          },
        },
        { concurrency: 1, pace: fastPace(1) },
      );

      const chunk = s.process([
        commandRecord({ id: 'a' }),
        commandRecord({ id: 'b' }),
        commandRecord({ id: 'poison', attempt: 2 }, { runAlone: true }),
        commandRecord({ id: 'after' }),
      ]);
      await until(() => running.has('a'), 'the first handler');
      expect(s.producer.markers().map((m) => m.messageId)).toEqual(['a', 'b']);
      gates.get('a')?.resolve();
      await until(() => running.has('b'), 'the record admitted ahead');
      expect(s.producer.markers().map((m) => m.messageId)).toEqual(['a', 'b']);
      gates.get('b')?.resolve();
      await until(() => running.has('poison'), 'the run-alone record');
      expect(s.producer.markers().map((m) => m.messageId)).toEqual(['a', 'b', 'poison']);
      gates.get('poison')?.resolve();
      gates.get('after')?.resolve();
      await chunk;
      await s.settled();

      expect(overlaps).toEqual([]);
      expect(s.producer.outcomes()).toHaveLength(4);
    });
  });
});
