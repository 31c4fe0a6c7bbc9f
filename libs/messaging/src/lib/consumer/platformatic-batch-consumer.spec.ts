import { EventEmitter } from 'node:events';
import type { LoggerService } from '@nestjs/common';
import { StartupRetry } from '../startup/startup-retry';
import type { BatchConsumerOptions } from './batch-consumer';
import { BatchConsumerUsageError } from './batch-consumer-usage-error';
import type { PlatformaticMessage } from './consumed-message';
import {
  PlatformaticBatchConsumer,
  type PlatformaticBatchConsumerParts,
  type PlatformaticConsumerPort,
} from './platformatic-batch-consumer';

/** Plays @platformatic/kafka's MessagesStream: the test pushes records and events. */
class FakeStream extends EventEmitter {
  readonly offsetsToFetch = new Map<string, bigint>();
  constructor(private readonly log: string[]) {
    super();
  }
  pause() {
    this.log.push('stream pause');
    return this;
  }
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    return super.emit(event, ...args);
  }
  resume() {
    this.log.push('stream resume');
    return this;
  }
  async close() {
    this.log.push('stream close');
  }
}

/** Plays a @platformatic/kafka Consumer: records what the wrapper asks, and lets the test drive the group. */
class FakeConsumer extends EventEmitter {
  assignments: Array<{ topic: string; partitions: number[] }> | null = null;
  active = true;
  consumeOptions: Record<string, unknown> | undefined;
  consumeError: Error | null = null;
  /** When set, commits wait for it. */
  commitHold: Promise<void> | null = null;
  readonly stream: FakeStream;
  constructor(readonly log: string[]) {
    super();
    this.stream = new FakeStream(log);
  }
  async consume(options: Record<string, unknown>) {
    this.log.push('consume');
    this.consumeOptions = options;
    if (this.consumeError) throw this.consumeError;
    return this.stream;
  }
  async commit({
    offsets,
  }: {
    offsets: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number }>;
  }) {
    const at = offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}/${o.leaderEpoch}`).join(',');
    this.log.push(`commit ${at}`);
    if (this.commitHold) await this.commitHold;
    this.log.push(`committed ${at}`);
  }
  async close(force?: boolean) {
    this.log.push(`close ${force}`);
  }
  isActive() {
    return this.active;
  }
  /** The group assigned these partitions (classic protocol: a join). */
  join(assignments: Record<string, number[]>, isLeader = false) {
    this.assignments = Object.entries(assignments).map(([topic, partitions]) => ({ topic, partitions }));
    this.emit('consumer:group:join', {
      groupId: 'executor',
      memberId: 'm-1',
      isLeader,
      assignments: this.assignments,
    });
  }
}

function record(topic: string, partition: number, offset: number, leaderEpoch = 7): PlatformaticMessage {
  return {
    topic,
    partition,
    offset: BigInt(offset),
    key: Buffer.from(`m-${offset}`),
    value: Buffer.from(`v-${offset}`),
    headers: new Map([[Buffer.from('message-id'), Buffer.from(`m-${offset}`)]]),
    headerEntries: [[Buffer.from('message-id'), Buffer.from(`m-${offset}`)]],
    timestamp: 1_767_225_600_000n,
    leaderEpoch,
    metadata: {},
    commit: () => undefined,
    toJSON: () => ({}) as ReturnType<PlatformaticMessage['toJSON']>,
  };
}

/** Lets every scheduled step run (setImmediate, promise chains). */
async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

const silent: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };

describe('PlatformaticBatchConsumer', () => {
  let log: string[];
  let members: FakeConsumer[];
  let warnings: string[];

  function consumer(
    options: Partial<BatchConsumerOptions> & Pick<BatchConsumerOptions, 'handler'>,
    parts: Partial<PlatformaticBatchConsumerParts> = {},
  ) {
    return new PlatformaticBatchConsumer(
      { groupId: 'executor', topics: ['orders'], ...options },
      {
        createConsumer: () => {
          const member = new FakeConsumer(log);
          members.push(member);
          return member as unknown as PlatformaticConsumerPort;
        },
        startup: new StartupRetry({ budgetMs: 0 }),
        groupProtocol: 'classic',
        retry: { initialRetryTimeMs: 100, maxRetryTimeMs: 150 },
        logger: { ...silent, warn: (message: string) => warnings.push(message) },
        ...parts,
      },
    );
  }

  /** Starts `c`, joins its member with `assignments` and returns the member. */
  async function started(
    c: PlatformaticBatchConsumer,
    assignments: Record<string, number[]> = { orders: [0, 1] },
  ) {
    await c.start();
    const member = members.at(-1) as FakeConsumer;
    member.join(assignments);
    return member;
  }

  const push = (member: FakeConsumer, ...records: PlatformaticMessage[]) =>
    records.forEach((r) => member.stream.emit('data', r));
  const offsets = (messages: readonly { offset: string }[]) => messages.map((m) => m.offset).join(',');

  beforeEach(() => {
    log = [];
    members = [];
    warnings = [];
  });

  it('consumes without auto-commit from the committed offsets, from the beginning by default', async () => {
    await consumer({ handler: async () => undefined }).start();
    await consumer({ handler: async () => undefined, fromBeginning: false }).start();

    expect(members.map((m) => m.consumeOptions)).toEqual([
      { topics: ['orders'], autocommit: false, mode: 'committed', fallbackMode: 'earliest' },
      { topics: ['orders'], autocommit: false, mode: 'committed', fallbackMode: 'latest' },
    ]);
  });

  describe('when the handler resolves', () => {
    it('hands out chunks of at most maxBatchSize of one partition, in offset order, each committed after it', async () => {
      const c = consumer({
        maxBatchSize: 2,
        handler: async (messages, context) => {
          log.push(`handled ${context.topic}[${context.partition}] ${offsets(messages)}`);
        },
      });
      const member = await started(c, { orders: [1] });

      push(member, ...[0, 1, 2, 3, 4].map((offset) => record('orders', 1, offset)));
      await settle();

      expect(log.filter((line) => !line.startsWith('consume'))).toEqual([
        'handled orders[1] 0,1',
        'commit orders[1]@2/7',
        'committed orders[1]@2/7',
        'handled orders[1] 2,3',
        'commit orders[1]@4/7',
        'committed orders[1]@4/7',
        'handled orders[1] 4',
        'commit orders[1]@5/7',
        'committed orders[1]@5/7',
      ]);
    });

    it('hands the handler our message type: key, value, headers, offset as a string', async () => {
      const seen: unknown[] = [];
      const member = await started(consumer({ handler: async (messages) => void seen.push(...messages) }));
      push(member, record('orders', 0, 9));
      await settle();

      expect(seen).toEqual([
        {
          topic: 'orders',
          partition: 0,
          offset: '9',
          key: 'm-9',
          value: Buffer.from('v-9'),
          headers: { 'message-id': 'm-9' },
          timestamp: 1_767_225_600_000,
        },
      ]);
    });

    it('hands out the next chunk while the last commit is on its way, one commit in flight per partition', async () => {
      let release!: () => void;
      const c = consumer({
        maxBatchSize: 2,
        handler: async (messages) => void log.push(`handled ${offsets(messages)}`),
      });
      const member = await started(c, { orders: [0] });
      member.commitHold = new Promise<void>((resolve) => (release = resolve));
      log.length = 0;

      push(member, ...[0, 1, 2, 3].map((offset) => record('orders', 0, offset)));
      await settle();
      expect(log).toEqual(['handled 0,1', 'commit orders[0]@2/7', 'handled 2,3']);

      release();
      await settle();
      expect(log.slice(3)).toEqual([
        'committed orders[0]@2/7',
        'commit orders[0]@4/7',
        'committed orders[0]@4/7',
      ]);
    });

    it('handles at most partitionsConsumedConcurrently partitions at a time, taking them in turn', async () => {
      const gates: Array<() => void> = [];
      const c = consumer({
        partitionsConsumedConcurrently: 2,
        handler: async (messages, context) => {
          log.push(`start ${context.partition}:${offsets(messages)}`);
          await new Promise<void>((resolve) => gates.push(resolve));
        },
      });
      const member = await started(c, { orders: [0, 1, 2] });
      log.length = 0;

      push(member, record('orders', 0, 0), record('orders', 1, 0), record('orders', 2, 0));
      await settle();
      expect(log).toEqual(['start 0:0', 'start 1:0']);

      push(member, record('orders', 0, 1));
      gates[0]?.();
      await settle();
      // Partition 0 has more, but partition 2 waited longer.
      expect(log.filter((line) => line.startsWith('start'))).toEqual(['start 0:0', 'start 1:0', 'start 2:0']);
      gates[1]?.();
      await settle();
      expect(log.filter((line) => line.startsWith('start'))).toEqual([
        'start 0:0',
        'start 1:0',
        'start 2:0',
        'start 0:1',
      ]);
      gates.slice(2).forEach((open) => open());
      await settle();
    });

    it('drops records fetched again after a rejoin, which it holds or handled already', async () => {
      const handled: string[] = [];
      const member = await started(
        consumer({ handler: async (messages) => void handled.push(offsets(messages)) }),
        {
          orders: [0],
        },
      );
      push(member, record('orders', 0, 0), record('orders', 0, 1));
      await settle();
      push(member, record('orders', 0, 0), record('orders', 0, 1), record('orders', 0, 2));
      await settle();

      expect(handled).toEqual(['0,1', '2']);
    });
  });

  describe('context.commit', () => {
    it('commits past the given record now, with its leader epoch, and resolves once the group has it', async () => {
      const member = await started(
        consumer({
          handler: async (messages, context) => {
            await context.commit('1');
            log.push('after commit');
            void messages;
          },
        }),
        { orders: [0] },
      );
      log.length = 0;
      push(member, record('orders', 0, 0, 3), record('orders', 0, 1, 4), record('orders', 0, 2, 4));
      await settle();

      expect(log).toEqual([
        'commit orders[0]@2/4',
        'committed orders[0]@2/4',
        'after commit',
        'commit orders[0]@3/4',
        'committed orders[0]@3/4',
      ]);
    });
  });

  describe('when the handler throws', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
    afterEach(() => jest.useRealTimers());

    it('commits nothing and hands the same chunk out again after a backoff, until it succeeds', async () => {
      let attempts = 0;
      const member = await started(
        consumer({
          handler: async (messages) => {
            attempts += 1;
            log.push(`attempt ${attempts}: ${offsets(messages)}`);
            if (attempts < 3) throw new Error('database is down');
          },
        }),
        { orders: [0] },
      );
      log.length = 0;
      push(member, record('orders', 0, 5), record('orders', 0, 6));
      await settle();
      expect(log).toEqual(['attempt 1: 5,6']);
      expect(warnings).toEqual([
        'Batch handler failed for orders[0] from offset 5: database is down; nothing committed, the same records ' +
          'are handed out again in 100 ms',
      ]);

      push(member, record('orders', 0, 7)); // more records meanwhile: the partition waits
      await jest.advanceTimersByTimeAsync(99);
      await settle();
      expect(log).toEqual(['attempt 1: 5,6']);
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      await jest.advanceTimersByTimeAsync(150);
      await settle();

      expect(log).toEqual([
        'attempt 1: 5,6',
        'attempt 2: 5,6,7',
        'attempt 3: 5,6,7',
        'commit orders[0]@8/7',
        'committed orders[0]@8/7',
      ]);
      expect(warnings[1]).toContain('again in 150 ms');
    });

    it('keeps the chunks handled before the failure committed', async () => {
      const member = await started(
        consumer({
          maxBatchSize: 2,
          handler: async (messages) => {
            if (messages[0]?.offset === '2') throw new Error('poison');
          },
        }),
        { orders: [0] },
      );
      log.length = 0;
      push(member, ...[0, 1, 2, 3].map((offset) => record('orders', 0, offset)));
      await settle();

      expect(log).toEqual(['commit orders[0]@2/7', 'committed orders[0]@2/7']);
    });
  });

  describe('when a rebalance takes partitions away', () => {
    it('drops their queued records and the fetch position the library keeps for them', async () => {
      const gate: Array<() => void> = [];
      const handled: string[] = [];
      const c = consumer({
        maxBatchSize: 1,
        handler: async (messages, context) => {
          handled.push(`${context.partition}:${offsets(messages)}`);
          if (context.partition === 1) await new Promise<void>((resolve) => gate.push(resolve));
        },
      });
      const member = await started(c, { orders: [0, 1] });
      push(member, record('orders', 1, 0), record('orders', 1, 1), record('orders', 0, 0));
      await settle();
      member.stream.offsetsToFetch.set('orders:1', 2n).set('orders:0', 1n).set('orders:5', 9n);

      member.join({ orders: [0] }); // partition 1 went to another member
      gate[0]?.();
      push(member, record('orders', 1, 2)); // a late fetch of the old assignment
      await settle();

      expect(handled).toEqual(['1:0', '0:0']);
      expect([...member.stream.offsetsToFetch.keys()]).toEqual(['orders:0']);
      expect(c.assignment()).toEqual([{ topic: 'orders', partitions: [0] }]);
    });
  });

  describe('isRunning, assignment and group leadership', () => {
    it('is running from the join until a stop, and knows its partitions and leadership (classic protocol)', async () => {
      const c = consumer({ handler: async () => undefined });
      expect(c.isRunning()).toBe(false);
      await c.start();
      expect(c.isRunning()).toBe(false); // started, not yet in the group
      const member = members[0] as FakeConsumer;

      member.join({ orders: [4, 0, 2] }, true);
      expect(c.isRunning()).toBe(true);
      expect(c.assignment()).toEqual([{ topic: 'orders', partitions: [0, 2, 4] }]);
      expect(c.isGroupLeader()).toBe(true);

      member.emit('consumer:group:rebalance', { groupId: 'executor' });
      expect(c.assignment()).toEqual([]);
      expect(c.isGroupLeader()).toBe(false);

      member.join({ orders: [1] }, false);
      expect(c.assignment()).toEqual([{ topic: 'orders', partitions: [1] }]);
      expect(c.isGroupLeader()).toBe(false);

      await c.stop();
      expect(c.isRunning()).toBe(false);
      expect(c.assignment()).toEqual([]);
    });

    it("under KIP-848 leads with partition 0 of its first topic, and is running only while the client's member is", async () => {
      const c = consumer(
        { topics: ['orders', 'invoices'], handler: async () => undefined },
        { groupProtocol: 'consumer' },
      );
      const member = await started(c, { invoices: [0], orders: [1] });
      expect(c.isGroupLeader()).toBe(false);

      member.assignments = [{ topic: 'orders', partitions: [0, 1] }]; // a later heartbeat brought partition 0
      member.emit('consumer:group:rebalance', { groupId: 'executor' }); // no gap in KIP-848
      expect(c.isGroupLeader()).toBe(true);
      expect(c.isRunning()).toBe(true);

      member.active = false; // fenced, until its next heartbeat
      expect(c.isRunning()).toBe(false);
      await c.stop();
    });
  });

  it('pauses the stream while all its topics are paused, and hands out nothing of a paused topic', async () => {
    const handled: string[] = [];
    const c = consumer({
      topics: ['a', 'b'],
      handler: async (messages, context) => void handled.push(`${context.topic}:${offsets(messages)}`),
    });
    const member = await started(c, { a: [0], b: [0] });
    log.length = 0;

    c.pause(['a']);
    push(member, record('a', 0, 0), record('b', 0, 0));
    await settle();
    expect(handled).toEqual(['b:0']);
    expect(log).not.toContain('stream pause');

    c.pause();
    expect(log).toContain('stream pause');
    c.resume();
    await settle();
    expect(log).toContain('stream resume');
    expect(handled).toEqual(['b:0', 'a:0']);
  });

  it('pauses fetching while too much is held, and resumes once the handler caught up', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const member = await started(consumer({ handler: () => hold }), { orders: [0] });
    log.length = 0;

    push(member, ...Array.from({ length: 1_024 }, (_, offset) => record('orders', 0, offset)));
    await settle();
    expect(log).toEqual(['stream pause']);

    release();
    await settle();
    expect(log.slice(0, 2)).toEqual(['stream pause', 'stream resume']);
  });

  describe('stop', () => {
    it('waits for the chunk with the handler and its commit, then leaves the group', async () => {
      let release!: () => void;
      const c = consumer({ handler: () => new Promise<void>((resolve) => (release = resolve)) });
      const member = await started(c, { orders: [0] });
      push(member, record('orders', 0, 0));
      await settle();
      log.length = 0;

      const stopping = c.stop();
      await settle();
      expect(log).toEqual(['stream pause']);
      release();
      await stopping;

      expect(log).toEqual([
        'stream pause',
        'commit orders[0]@1/7',
        'committed orders[0]@1/7',
        'stream close',
        'close true',
      ]);
    });

    it('closes once, however often it is called', async () => {
      const c = consumer({ handler: async () => undefined });
      await c.start();
      await Promise.all([c.stop(), c.stop()]);
      expect(log.filter((line) => line === 'close true')).toHaveLength(1);
    });
  });

  describe('start', () => {
    it('tries again with a new member while the cluster is not ready, within KAFKA_STARTUP_RETRY_MS', async () => {
      const clock = { now: 0 };
      const startup = new StartupRetry({
        budgetMs: 60_000,
        logger: silent,
        now: () => clock.now,
        sleep: async (ms) => {
          clock.now += ms;
        },
        random: () => 0.5,
      });
      let tries = 0;
      const c = consumer(
        { handler: async () => undefined },
        {
          startup,
          createConsumer: () => {
            const member = new FakeConsumer(log);
            tries += 1;
            if (tries < 3)
              member.consumeError = Object.assign(new Error('Unknown topic orders.'), {
                code: 'PLT_KFK_USER',
              });
            members.push(member);
            return member as unknown as PlatformaticConsumerPort;
          },
        },
      );

      await c.start();

      expect(log).toEqual(['consume', 'close true', 'consume', 'close true', 'consume']);
    });

    it('fails with our error and cleans up when the failure is not retriable', async () => {
      const c = consumer(
        { handler: async () => undefined },
        {
          createConsumer: () => {
            const member = new FakeConsumer(log);
            member.consumeError = Object.assign(new Error('Group authorization failed.'), {
              code: 'PLT_KFK_PROTOCOL',
              canRetry: false,
            });
            members.push(member);
            return member as unknown as PlatformaticConsumerPort;
          },
        },
      );
      await expect(c.start()).rejects.toMatchObject({ code: 'KAFKA_REQUEST_FAILED', retriable: false });
      expect(log).toEqual(['consume', 'close true']);
    });

    it('refuses a subscription without topics, and a second start', async () => {
      expect(() => consumer({ topics: [], handler: async () => undefined })).toThrow(BatchConsumerUsageError);
      const c = consumer({ handler: async () => undefined });
      await c.start();
      await expect(c.start()).rejects.toMatchObject({ code: 'BATCH_CONSUMER_MISUSE', retriable: false });
    });
  });

  describe('after the stream or the member failed beyond the library retries', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
    afterEach(() => jest.useRealTimers());

    it('leaves the group once its chunk in flight is committed, and starts again with a new member', async () => {
      let release!: () => void;
      const c = consumer({
        recoveryDelayMs: 1_000,
        handler: () => new Promise<void>((resolve) => (release = resolve)),
      });
      const first = await started(c, { orders: [0] });
      push(first, record('orders', 0, 0));
      await settle();
      log.length = 0;

      first.stream.emit(
        'error',
        Object.assign(new Error('fetch failed 3 times'), { code: 'PLT_KFK_NETWORK' }),
      );
      expect(c.isRunning()).toBe(false);
      release();
      await settle();
      expect(log).toEqual([
        'stream pause',
        'commit orders[0]@1/7',
        'committed orders[0]@1/7',
        'stream close',
        'close true',
      ]);

      await jest.advanceTimersByTimeAsync(999);
      expect(members).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      expect(members).toHaveLength(2);
      (members[1] as FakeConsumer).join({ orders: [0] });
      expect(c.isRunning()).toBe(true);
      await c.stop();
    });

    it('does so as well on an error event of the member (a rejoin the library gave up on)', async () => {
      const c = consumer({ recoveryDelayMs: 500, handler: async () => undefined });
      const first = await started(c);
      first.emit('error', new Error('joinGroup failed 3 times.'));
      await settle();
      await jest.advanceTimersByTimeAsync(500);
      await settle();
      expect(members).toHaveLength(2);
      await c.stop();
    });

    it('is not started again once stopped', async () => {
      const c = consumer({ recoveryDelayMs: 500, handler: async () => undefined });
      const first = await started(c);
      first.stream.emit('error', new Error('boom'));
      await c.stop();
      await jest.advanceTimersByTimeAsync(5_000);
      await settle();
      expect(members).toHaveLength(1);
    });
  });
});
