import {
  Kafka,
  KafkaJSConnectionError,
  KafkaJSProtocolError,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopics,
  type EachBatchPayload,
  type KafkaMessage,
  type Offsets,
} from 'kafkajs';
import type { BatchConsumer, BatchConsumerOptions } from './batch-consumer';
import { KafkajsBatchConsumer, type ConsumerPort, type KafkajsMemberWatch } from './kafkajs-batch-consumer';
import { StartupRetry } from '../startup/startup-retry';
import { BatchConsumerUsageError } from './batch-consumer-usage-error';
import type { ConsumedMessage } from './consumed-message';

// The real event names, taken from a kafkajs consumer that never connects.
const EVENTS = new Kafka({ brokers: ['localhost:1'], logLevel: 0 }).consumer({ groupId: 'unused' }).events;

/** Records what BatchConsumer asks of kafkajs, and lets a test play kafkajs' part (events, eachBatch). */
class FakeConsumer {
  readonly events = EVENTS;
  readonly calls: string[] = [];
  runConfig: ConsumerRunConfig | undefined;
  subscription: ConsumerSubscribeTopics | undefined;
  connectError: Error | null = null;
  /** Thrown by the next calls of connect and subscribe, one each, before `connectError`. */
  readonly connectErrors: Error[] = [];
  readonly subscribeErrors: Error[] = [];
  private readonly listeners = new Map<string, Array<(event?: unknown) => void>>();

  async connect() {
    this.calls.push('connect');
    const error = this.connectErrors.shift() ?? this.connectError;
    if (error) throw error;
  }
  async subscribe(subscription: ConsumerSubscribeTopics) {
    this.subscription = subscription;
    const error = this.subscribeErrors.shift();
    if (error) throw error;
  }
  async run(config: ConsumerRunConfig) {
    this.calls.push('run');
    this.runConfig = config;
  }
  async disconnect() {
    this.calls.push('disconnect');
  }
  pause(topics: Array<{ topic: string }>) {
    this.calls.push(`pause ${topics.map((t) => t.topic).join(',')}`);
  }
  resume(topics: Array<{ topic: string }>) {
    this.calls.push(`resume ${topics.map((t) => t.topic).join(',')}`);
  }
  on(event: string, listener: (event?: unknown) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return () =>
      this.listeners.set(
        event,
        (this.listeners.get(event) ?? []).filter((l) => l !== listener),
      );
  }
  emit(event: string, payload?: unknown) {
    (this.listeners.get(event) ?? []).forEach((listener) =>
      listener(payload === undefined ? undefined : { type: event, payload }),
    );
  }
}

/** One fetched batch of `count` messages from offset 0, and a log of what the consumer did with it, in order. */
function fetchedBatch(
  count: number,
  {
    stale = (): boolean => false,
    running = (): boolean => true,
    commitHold = null,
  }: { stale?: () => boolean; running?: () => boolean; commitHold?: Promise<void> | null } = {},
) {
  const log: string[] = [];
  const messages = Array.from(
    { length: count },
    (_, i) =>
      ({
        key: Buffer.from(`m-${i}`),
        value: Buffer.from(`v-${i}`),
        offset: String(i),
        timestamp: '0',
        headers: {},
      }) as KafkaMessage,
  );
  const payload = {
    batch: { topic: 'orders', partition: 1, messages },
    resolveOffset: (offset: string) => log.push(`resolve ${offset}`),
    heartbeat: async () => undefined,
    commitOffsetsIfNecessary: async (offsets?: Offsets) => {
      const at = offsets?.topics.map((t) =>
        t.partitions.map((p) => `${t.topic}[${p.partition}]@${p.offset}`),
      );
      log.push(`commit ${at}`);
      if (commitHold) await commitHold;
      log.push(`committed ${at}`);
    },
    isRunning: running,
    isStale: stale,
  } as unknown as EachBatchPayload; // only the members BatchConsumer uses
  return { payload, log };
}

describe('KafkajsBatchConsumer', () => {
  let fake: FakeConsumer;

  /**
   * A consumer whose start-up never retries, unless given a `StartupRetry`, and whose membership watch never checks,
   * unless given one. Every kafkajs consumer it creates is `fake`.
   */
  function consumer(
    options: Partial<BatchConsumerOptions> & Pick<BatchConsumerOptions, 'handler'>,
    startup = new StartupRetry({ budgetMs: 0 }),
    watch: KafkajsMemberWatch = { sessionTimeoutMs: 10_000, every: () => () => undefined },
  ) {
    return new KafkajsBatchConsumer(
      () => fake as unknown as ConsumerPort,
      { groupId: 'executor', topics: ['orders'], ...options },
      startup,
      watch,
    );
  }

  async function deliver(c: KafkajsBatchConsumer, payload: EachBatchPayload) {
    await c.start();
    const eachBatch = fake.runConfig?.eachBatch;
    if (!eachBatch) throw new Error('run() was not called with eachBatch');
    return eachBatch(payload);
  }

  beforeEach(() => {
    fake = new FakeConsumer();
  });

  it('runs with auto-commit and auto-resolve off, from the beginning by default', async () => {
    await consumer({ handler: async () => undefined }).start();

    expect(fake.subscription).toEqual({ topics: ['orders'], fromBeginning: true });
    expect(fake.runConfig).toMatchObject({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
    });
  });

  describe('when the handler resolves', () => {
    it('commits the offset after the last message, only after the handler finished', async () => {
      const { payload, log } = fetchedBatch(3);
      const seen: ConsumedMessage[] = [];

      await deliver(
        consumer({
          handler: async (messages) => {
            log.push(`handled ${messages.map((m) => m.offset).join(',')}`);
            seen.push(...messages);
          },
        }),
        payload,
      );

      expect(log).toEqual(['handled 0,1,2', 'resolve 2', 'commit orders[1]@3', 'committed orders[1]@3']);
      expect(seen.map((m) => [m.key, m.value.toString()])).toEqual([
        ['m-0', 'v-0'],
        ['m-1', 'v-1'],
        ['m-2', 'v-2'],
      ]);
    });

    it('hands out at most maxBatchSize messages and commits each chunk on its own', async () => {
      const { payload, log } = fetchedBatch(5);

      await deliver(
        consumer({
          maxBatchSize: 2,
          handler: async (messages) => {
            log.push(`handled ${messages.map((m) => m.offset).join(',')}`);
          },
        }),
        payload,
      );

      expect(log).toEqual([
        'handled 0,1',
        'resolve 1',
        'commit orders[1]@2',
        'committed orders[1]@2',
        'handled 2,3',
        'resolve 3',
        'commit orders[1]@4',
        'committed orders[1]@4',
        'handled 4',
        'resolve 4',
        'commit orders[1]@5',
        'committed orders[1]@5',
      ]);
    });

    it('hands out the next chunk while the last commit is on its way, one commit in flight per partition', async () => {
      let release!: () => void;
      const commitHold = new Promise<void>((resolve) => (release = resolve));
      const { payload, log } = fetchedBatch(4, { commitHold });
      const c = consumer({
        maxBatchSize: 2,
        handler: async (messages) => {
          log.push(`handled ${messages.map((m) => m.offset).join(',')}`);
        },
      });

      const delivery = deliver(c, payload);
      await new Promise((resolve) => setTimeout(resolve, 10));

      // Chunk 2 was handled before chunk 1's commit came back; its own commit waits for that one.
      expect(log).toEqual(['handled 0,1', 'resolve 1', 'commit orders[1]@2', 'handled 2,3', 'resolve 3']);
      release();
      await delivery;
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(log.slice(5)).toEqual(['committed orders[1]@2', 'commit orders[1]@4', 'committed orders[1]@4']);
    });

    it('when stopping, returns only once the last commit is done, so the group is left with it committed', async () => {
      let release!: () => void;
      const commitHold = new Promise<void>((resolve) => (release = resolve));
      let running = true;
      const { payload, log } = fetchedBatch(2, { commitHold, running: () => running });
      let returned = false;
      const delivery = deliver(
        consumer({
          handler: async () => {
            running = false; // SIGTERM arrived while the chunk was handled
          },
        }),
        payload,
      ).then(() => {
        returned = true;
      });

      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(log).toEqual(['resolve 1', 'commit orders[1]@2']);
      expect(returned).toBe(false);
      release();
      await delivery;
      expect(log).toEqual(['resolve 1', 'commit orders[1]@2', 'committed orders[1]@2']);
    });
  });

  describe('when the handler throws', () => {
    it('commits nothing and fails the batch with a retriable error, so kafkajs delivers it again', async () => {
      const { payload, log } = fetchedBatch(3);

      const delivery = deliver(
        consumer({
          handler: async () => {
            throw new Error('database is down');
          },
        }),
        payload,
      );

      await expect(delivery).rejects.toMatchObject({
        code: 'BATCH_HANDLER_FAILED',
        retriable: true,
        message: 'Batch handler failed for orders[1] from offset 0: database is down',
      });
      expect(log).toEqual([]);
    });

    it('keeps the chunks handled before the failure committed', async () => {
      const { payload, log } = fetchedBatch(4);

      const delivery = deliver(
        consumer({
          maxBatchSize: 2,
          handler: async (messages) => {
            if (messages[0]?.offset === '2') throw new Error('poison');
          },
        }),
        payload,
      );

      await expect(delivery).rejects.toMatchObject({ code: 'BATCH_HANDLER_FAILED' });
      expect(log).toEqual(['resolve 1', 'commit orders[1]@2', 'committed orders[1]@2']);
    });
  });

  it('stops handing out chunks once the partition was taken away (stale batch)', async () => {
    let chunks = 0;
    const { payload, log } = fetchedBatch(4, { stale: () => chunks >= 1 });

    await deliver(
      consumer({
        maxBatchSize: 2,
        handler: async () => {
          chunks += 1;
        },
      }),
      payload,
    );

    expect(chunks).toBe(1);
    expect(log).toEqual(['resolve 1', 'commit orders[1]@2', 'committed orders[1]@2']);
  });

  describe('isRunning', () => {
    it('is true from joining the group until a crash or stop', async () => {
      const c = consumer({ handler: async () => undefined });
      expect(c.isRunning()).toBe(false);

      await c.start();
      expect(c.isRunning()).toBe(false); // started, not yet in the group

      fake.emit(EVENTS.GROUP_JOIN);
      expect(c.isRunning()).toBe(true);

      fake.emit(EVENTS.CRASH);
      expect(c.isRunning()).toBe(false);

      fake.emit(EVENTS.GROUP_JOIN); // kafkajs restarted it
      expect(c.isRunning()).toBe(true);

      await c.stop();
      expect(c.isRunning()).toBe(false);
      fake.emit(EVENTS.GROUP_JOIN); // listeners are gone after stop
      expect(c.isRunning()).toBe(false);
    });
  });

  describe('assignment and group leadership', () => {
    const joined = (isLeader: boolean, memberAssignment: Record<string, number[]>) => ({
      groupId: 'executor',
      memberId: 'm-1',
      leaderId: isLeader ? 'm-1' : 'm-2',
      isLeader,
      memberAssignment,
      groupProtocol: 'RoundRobinAssigner',
      duration: 3,
    });

    it('holds the partitions and the leadership of the last join, void from a rebalance to the next join', async () => {
      const c = consumer({ handler: async () => undefined });
      await c.start();
      expect(c.assignment()).toEqual([]);
      expect(c.isGroupLeader()).toBe(false);

      fake.emit(EVENTS.GROUP_JOIN, joined(true, { orders: [4, 0, 2], invoices: [] }));
      expect(c.assignment()).toEqual([
        { topic: 'orders', partitions: [0, 2, 4] },
        { topic: 'invoices', partitions: [] },
      ]);
      expect(c.isGroupLeader()).toBe(true);

      fake.emit(EVENTS.REBALANCING, { groupId: 'executor', memberId: 'm-1' });
      expect(c.assignment()).toEqual([]);
      expect(c.isGroupLeader()).toBe(false);

      fake.emit(EVENTS.GROUP_JOIN, joined(false, { orders: [1] }));
      expect(c.assignment()).toEqual([{ topic: 'orders', partitions: [1] }]);
      expect(c.isGroupLeader()).toBe(false);
    });

    it.each([
      ['a crash', () => Promise.resolve(fake.emit(EVENTS.CRASH))],
      ['a stop', (c: BatchConsumer) => c.stop()],
    ])('forgets both on %s', async (_case, end) => {
      const c = consumer({ handler: async () => undefined });
      await c.start();
      fake.emit(EVENTS.GROUP_JOIN, joined(true, { orders: [0] }));
      await end(c);
      expect(c.assignment()).toEqual([]);
      expect(c.isGroupLeader()).toBe(false);
      await c.stop();
    });
  });

  describe('after kafkajs gave up on the consumer (a crash it does not restart)', () => {
    const gaveUp = { error: new Error('group authorization failed'), groupId: 'executor', restart: false };

    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('starts it again after the recovery delay, and again while that fails', async () => {
      const c = consumer({ handler: async () => undefined, recoveryDelayMs: 1_000 });
      await c.start();
      fake.emit(EVENTS.GROUP_JOIN);
      fake.calls.length = 0;

      fake.emit(EVENTS.CRASH, gaveUp);
      expect(c.isRunning()).toBe(false);
      fake.connectError = new Error('broker still refusing');
      await jest.advanceTimersByTimeAsync(999);
      expect(fake.calls).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(fake.calls).toEqual(['connect']);

      fake.connectError = null;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(fake.calls).toEqual(['connect', 'connect', 'run']);
      fake.emit(EVENTS.GROUP_JOIN);
      expect(c.isRunning()).toBe(true);
      await c.stop();
    });

    it('leaves a crash kafkajs restarts itself to kafkajs', async () => {
      const c = consumer({ handler: async () => undefined, recoveryDelayMs: 1_000 });
      await c.start();
      fake.calls.length = 0;
      fake.emit(EVENTS.CRASH, { ...gaveUp, restart: true });
      await jest.advanceTimersByTimeAsync(5_000);
      expect(fake.calls).toEqual([]);
      await c.stop();
    });

    it('does not start a stopped consumer again', async () => {
      const c = consumer({ handler: async () => undefined, recoveryDelayMs: 1_000 });
      await c.start();
      fake.emit(EVENTS.CRASH, gaveUp);
      await c.stop();
      fake.calls.length = 0;
      await jest.advanceTimersByTimeAsync(5_000);
      expect(fake.calls).toEqual([]);
    });
  });

  describe('a member kafkajs left stranded (no join, no heartbeat)', () => {
    const SESSION = 10_000;
    const REJOIN_AFTER = 70_000; // the default: rebalance timeout (60 s) + session
    let now: number;
    let check: (() => void) | null;
    /** Every kafkajs consumer created, the first one first. */
    let created: FakeConsumer[];
    /** This many of the next consumers created fail to connect. */
    let joinErrors: number;

    function watched(options: Partial<BatchConsumerOptions> = {}) {
      return new KafkajsBatchConsumer(
        () => {
          fake = new FakeConsumer();
          if (joinErrors > 0) {
            joinErrors -= 1;
            fake.connectError = new Error('The coordinator is loading');
          }
          created.push(fake);
          return fake as unknown as ConsumerPort;
        },
        { groupId: 'executor', topics: ['orders'], handler: async () => undefined, ...options },
        new StartupRetry({ budgetMs: 0 }),
        {
          sessionTimeoutMs: SESSION,
          now: () => now,
          every: (ms, task) => {
            expect(ms).toBe(SESSION / 2);
            check = task;
            return () => (check = null);
          },
        },
      );
    }

    /** Moves the clock on and runs the check, as the interval would; waits for a rejoin it starts. */
    async function after(ms: number) {
      now += ms;
      check?.();
      await new Promise((resolve) => setImmediate(resolve));
    }

    beforeEach(() => {
      now = 1_000_000;
      check = null;
      created = [];
      joinErrors = 0;
    });

    it('is replaced by a new member when it left its generation and never joined again', async () => {
      const c = watched();
      await c.start();
      const first = created[0] as FakeConsumer;
      first.emit(EVENTS.GROUP_JOIN, { isLeader: false, memberAssignment: { orders: [0] } });
      first.emit(EVENTS.REBALANCING);
      // Heartbeats go on in the old generation, as they did in the cluster case.
      for (let t = 0; t < REJOIN_AFTER - SESSION / 2; t += SESSION / 2) {
        first.emit(EVENTS.HEARTBEAT);
        await after(SESSION / 2);
      }
      expect(created).toHaveLength(1);

      first.emit(EVENTS.HEARTBEAT);
      await after(SESSION / 2);

      expect(created).toHaveLength(2);
      expect(first.calls).toEqual(['connect', 'run', 'disconnect']);
      const second = created[1] as FakeConsumer;
      expect(second.calls).toEqual(['connect', 'run']);
      expect(second.subscription).toEqual({ topics: ['orders'], fromBeginning: true });
      // The old member's events no longer count; the new one's do.
      first.emit(EVENTS.GROUP_JOIN, { isLeader: true, memberAssignment: { orders: [1] } });
      expect(c.isRunning()).toBe(false);
      second.emit(EVENTS.GROUP_JOIN, { isLeader: false, memberAssignment: { orders: [2] } });
      expect(c.isRunning()).toBe(true);
      expect(c.assignment()).toEqual([{ topic: 'orders', partitions: [2] }]);
      await c.stop();
    });

    it('is replaced when the coordinator was silent for the rejoin time, and stays while heartbeats come', async () => {
      const c = watched();
      await c.start();
      const first = created[0] as FakeConsumer;
      first.emit(EVENTS.GROUP_JOIN, { isLeader: false, memberAssignment: { orders: [0] } });
      for (let t = 0; t < 3 * REJOIN_AFTER; t += SESSION / 2) {
        first.emit(EVENTS.HEARTBEAT);
        await after(SESSION / 2);
      }
      expect(created).toHaveLength(1);

      first.emit(EVENTS.HEARTBEAT);
      await after(REJOIN_AFTER - 1);
      expect(created).toHaveLength(1);
      await after(1);
      expect(created).toHaveLength(2);
      await c.stop();
    });

    it('is not replaced while a batch is in its handler, however long', async () => {
      let finish!: () => void;
      const c = watched({ handler: () => new Promise<void>((resolve) => (finish = resolve)) });
      await c.start();
      const first = created[0] as FakeConsumer;
      first.emit(EVENTS.GROUP_JOIN, { isLeader: false, memberAssignment: { orders: [1] } });
      const handled = first.runConfig?.eachBatch?.(fetchedBatch(1).payload);

      await after(2 * REJOIN_AFTER);
      expect(created).toHaveLength(1);

      finish();
      await handled;
      await after(REJOIN_AFTER - 1);
      expect(created).toHaveLength(1);
      await c.stop();
    });

    it('pauses on the new member what was paused on the old one', async () => {
      const c = watched({ topics: ['a', 'b'] });
      await c.start();
      c.pause();
      c.resume(['a']);

      await after(REJOIN_AFTER);

      expect((created[1] as FakeConsumer).calls).toEqual(['connect', 'run', 'pause b']);
      await c.stop();
    });

    it('tries again after the rejoin time when joining again fails, and stops checking once stopped', async () => {
      const c = watched();
      await c.start();
      joinErrors = 1;
      await after(REJOIN_AFTER);
      const second = created[1] as FakeConsumer;
      expect(second.calls).toEqual(['connect']);

      await after(REJOIN_AFTER - 1);
      expect(created).toHaveLength(2);
      await after(1);
      expect(created).toHaveLength(3);
      expect(second.calls).toEqual(['connect', 'disconnect']);
      expect((created[2] as FakeConsumer).calls).toEqual(['connect', 'run']);

      await c.stop();
      expect(check).toBeNull();
      expect((created[2] as FakeConsumer).calls).toContain('disconnect');
    });
  });

  it('pauses and resumes all its topics by default', async () => {
    const c = consumer({ topics: ['a', 'b'], handler: async () => undefined });
    await c.start();

    c.pause();
    c.resume(['b']);

    expect(fake.calls).toEqual(['connect', 'run', 'pause a,b', 'resume b']);
  });

  it('disconnects once, however often stop is called', async () => {
    const c = consumer({ handler: async () => undefined });
    await c.start();

    await Promise.all([c.stop(), c.stop()]);

    expect(fake.calls.filter((call) => call === 'disconnect')).toHaveLength(1);
  });

  it('fails start with KAFKA_UNAVAILABLE and cleans up when the cluster is unreachable', async () => {
    fake.connectError = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');

    await expect(consumer({ handler: async () => undefined }).start()).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
      retriable: true,
    });
    expect(fake.calls).toEqual(['connect', 'disconnect']);
  });

  describe('when the cluster is not ready at start-up', () => {
    const refused = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    const notHosted = () =>
      Object.assign(new KafkaJSProtocolError('This server does not host this topic-partition'), {
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        retriable: true,
      });

    function retrying(budgetMs: number, onSleep: () => void = () => undefined) {
      const clock = { now: 0 };
      const warnings: string[] = [];
      const startup = new StartupRetry({
        budgetMs,
        logger: { warn: (message: string) => warnings.push(message) },
        now: () => clock.now,
        sleep: async (ms) => {
          clock.now += ms;
          onSleep();
        },
        random: () => 0.5,
      });
      return { startup, warnings };
    }

    it('connects and subscribes again until the cluster answers, then runs', async () => {
      fake.connectErrors.push(refused(), refused());
      fake.subscribeErrors.push(notHosted());
      const { startup, warnings } = retrying(60_000);
      const c = consumer({ handler: async () => undefined }, startup);

      await c.start();
      fake.emit(EVENTS.GROUP_JOIN);

      expect(fake.calls).toEqual(['connect', 'connect', 'connect', 'connect', 'run']);
      expect(warnings).toHaveLength(3);
      expect(warnings[2]).toContain('This server does not host this topic-partition');
      expect(c.isRunning()).toBe(true);
    });

    it('gives up after KAFKA_STARTUP_RETRY_MS with KAFKA_STARTUP_TIMED_OUT, and cleans up', async () => {
      fake.connectError = refused();
      const { startup } = retrying(5_000);

      await expect(consumer({ handler: async () => undefined }, startup).start()).rejects.toMatchObject({
        code: 'KAFKA_STARTUP_TIMED_OUT',
        message: expect.stringContaining('while starting consumer group executor'),
      });
      expect(fake.calls.at(-1)).toBe('disconnect');
      expect(fake.calls).not.toContain('run');
    });

    it('stops retrying, and never runs, once stopped meanwhile', async () => {
      fake.connectError = refused();
      let stopping: Promise<void> | undefined;
      const { startup } = retrying(60_000, () => {
        stopping ??= c.stop();
      });
      const c = consumer({ handler: async () => undefined }, startup);

      await expect(c.start()).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
      await stopping;
      expect(fake.calls).toEqual(['connect', 'disconnect']);
    });
  });

  it('refuses a subscription without topics, and a second start', async () => {
    expect(() => consumer({ topics: [], handler: async () => undefined })).toThrow(BatchConsumerUsageError);

    const c = consumer({ handler: async () => undefined });
    await c.start();
    await expect(c.start()).rejects.toMatchObject({ code: 'BATCH_CONSUMER_MISUSE', retriable: false });
  });
});
