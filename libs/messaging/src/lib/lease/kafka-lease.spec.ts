import type { LoggerService } from '@nestjs/common';
import { AssignerProtocol, Kafka, type Cluster, type Logger, type PartitionAssigner } from 'kafkajs';
import type { TopicSpec } from '../admin/topic-admin';
import { StartupRetry } from '../startup/startup-retry';
import { KafkaLease, type LeaseConsumerPort } from './kafka-lease';

// The real event names, taken from a kafkajs consumer that never connects.
const EVENTS = new Kafka({ brokers: ['localhost:1'], logLevel: 0 }).consumer({ groupId: 'unused' }).events;
const TOPIC: TopicSpec = { name: 'ns.poller.lease', partitions: 1 };
const SESSION_MS = 10_000;

/** Plays kafkajs' part: the lease subscribes to events, and the test emits them. */
class FakeConsumer {
  readonly events = EVENTS;
  readonly calls: string[] = [];
  private readonly listeners = new Map<string, Array<(event: unknown) => void>>();

  async connect() {
    this.calls.push('connect');
  }
  async subscribe(subscription: { topics: unknown[] }) {
    this.calls.push(`subscribe ${subscription.topics.join(',')}`);
  }
  async run() {
    this.calls.push('run');
  }
  async disconnect() {
    this.calls.push('disconnect');
  }
  on(event: string, listener: (event: unknown) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return () =>
      this.listeners.set(
        event,
        (this.listeners.get(event) ?? []).filter((l) => l !== listener),
      );
  }
  emit(event: string, payload: unknown = {}) {
    (this.listeners.get(event) ?? []).forEach((listener) => listener({ payload }));
  }
  joined(partitions: number[]) {
    this.emit(EVENTS.GROUP_JOIN, { memberAssignment: partitions.length ? { [TOPIC.name]: partitions } : {} });
  }
}

class SilentLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: string) {
    this.lines.push(message);
  }
  error(message: string) {
    this.lines.push(`error ${message}`);
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`);
  }
}

/** A lease on fakes; its start-up retries (on the fake clock) within `startupBudgetMs`, by default never. */
function setup({ startupBudgetMs = 0 } = {}) {
  const consumer = new FakeConsumer();
  /** Every consumer the lease created, the first one first. */
  const consumers: FakeConsumer[] = [];
  /** The watchdog's task and period, as the lease scheduled them. */
  const watchdog = { task: null as (() => void) | null, everyMs: 0, stopped: false };
  const clock = { now: 1_000_000 };
  const admin = {
    ensured: [] as string[],
    /** Thrown by the next calls of ensureTopics, one each. */
    errors: [] as Error[],
    ensureTopics: async (specs: readonly TopicSpec[]) => {
      const error = admin.errors.shift();
      if (error) throw error;
      admin.ensured.push(...specs.map((s) => s.name));
      return { created: [], existing: [] };
    },
    disconnect: async () => undefined,
  };
  let assigner: PartitionAssigner | undefined;
  const logger = new SilentLogger();
  const lease = new KafkaLease({
    groupId: TOPIC.name,
    topic: TOPIC,
    admin,
    sessionTimeoutMs: SESSION_MS,
    logger,
    now: () => clock.now,
    startup: new StartupRetry({
      budgetMs: startupBudgetMs,
      logger,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms;
      },
    }),
    every: (ms, task) => {
      watchdog.everyMs = ms;
      watchdog.task = task;
      return () => {
        watchdog.stopped = true;
      };
    },
    createConsumer: (a) => {
      assigner = a;
      const next = consumers.length === 0 ? consumer : new FakeConsumer();
      consumers.push(next);
      return next as unknown as LeaseConsumerPort;
    },
  });
  const changes: boolean[] = [];
  lease.onChange((held) => changes.push(held));
  const claim = () => {
    const protocol = assigner?.({ cluster: {} as Cluster, groupId: 'g', logger: {} as Logger }).protocol({
      topics: [TOPIC.name],
    });
    const userData = protocol && AssignerProtocol.MemberMetadata.decode(protocol.metadata)?.userData;
    return (JSON.parse(userData?.toString() ?? '{}') as { holder?: boolean }).holder;
  };
  return { consumer, consumers, watchdog, clock, admin, lease, changes, claim, logger };
}

describe('KafkaLease', () => {
  it('ensures its one-partition topic, then joins the group subscribed to it', async () => {
    const { consumer, admin, lease } = setup();
    await lease.start();
    expect(admin.ensured).toEqual([TOPIC.name]);
    expect(consumer.calls).toEqual(['connect', `subscribe ${TOPIC.name}`, 'run']);
    expect(lease.state()).toBe('joining');
    expect(lease.isHeld()).toBe(false);
  });

  describe('when this member is assigned partition 0', () => {
    it('holds the lease and says so once', async () => {
      const { consumer, lease, changes } = setup();
      await lease.start();
      consumer.joined([0]);
      expect(lease.isHeld()).toBe(true);
      expect(lease.state()).toBe('active');
      consumer.emit(EVENTS.HEARTBEAT);
      expect(changes).toEqual([true]);
    });
  });

  describe('when another member holds it', () => {
    it('stands by', async () => {
      const { consumer, lease, changes } = setup();
      await lease.start();
      consumer.joined([]);
      expect(lease.isHeld()).toBe(false);
      expect(lease.state()).toBe('standby');
      expect(changes).toEqual([]);
    });
  });

  it.each(['REBALANCING', 'CRASH', 'STOP', 'DISCONNECT'] as const)('loses the lease on %s', async (event) => {
    const { consumer, lease, changes } = setup();
    await lease.start();
    consumer.joined([0]);
    consumer.emit(EVENTS[event]);
    expect(lease.isHeld()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('keeps its claim through a rebalance, so a healthy holder gets the lease back', async () => {
    const { consumer, lease, claim } = setup();
    await lease.start();
    consumer.joined([0]);
    consumer.emit(EVENTS.REBALANCING);
    expect(lease.isHeld()).toBe(false);
    expect(claim()).toBe(true);
  });

  it('drops its claim after a crash: a restarted member joins as a newcomer', async () => {
    const { consumer, lease, claim } = setup();
    await lease.start();
    consumer.joined([0]);
    consumer.emit(EVENTS.CRASH, { error: new Error('boom'), restart: true });
    expect(claim()).toBe(false);
  });

  describe('when the coordinator has not been heard from for half the session', () => {
    it('stops holding on its own, and holds again when heartbeats come back', async () => {
      const { consumer, clock, lease, changes, claim } = setup();
      await lease.start();
      consumer.joined([0]);
      clock.now += SESSION_MS / 2 - 1;
      expect(lease.isHeld()).toBe(true);
      clock.now += 1;
      expect(lease.isHeld()).toBe(false);
      expect(claim()).toBe(false);
      consumer.emit(EVENTS.HEARTBEAT);
      expect(lease.isHeld()).toBe(true);
      expect(changes).toEqual([true, false, true]);
    });
  });

  describe('when the group coordinator falls silent on this member (no join, no heartbeat)', () => {
    const REJOIN_MS = 3 * SESSION_MS;
    const settle = () => new Promise((resolve) => setImmediate(resolve));

    it('checks every half session, and leaves a member alone while heartbeats come', async () => {
      const { consumer, consumers, watchdog, clock, lease } = setup();
      await lease.start();
      consumer.joined([0]);
      expect(watchdog.everyMs).toBe(SESSION_MS / 2);
      for (let i = 0; i < 10; i += 1) {
        clock.now += SESSION_MS / 2;
        consumer.emit(EVENTS.HEARTBEAT);
        watchdog.task?.();
      }
      await settle();
      expect(consumers).toHaveLength(1);
      expect(lease.isHeld()).toBe(true);
    });

    it('after three sessions, leaves with the old consumer and joins again with a new one, saying so', async () => {
      const { consumer, consumers, watchdog, clock, lease, logger } = setup();
      await lease.start();
      consumer.joined([0]);
      consumer.emit(EVENTS.REBALANCING);
      clock.now += REJOIN_MS - 1;
      watchdog.task?.();
      await settle();
      expect(consumers).toHaveLength(1);

      clock.now += 1;
      watchdog.task?.();
      watchdog.task?.(); // a second check while the first rejoin runs starts no other
      await settle();

      expect(consumer.calls.at(-1)).toBe('disconnect');
      expect(consumers).toHaveLength(2);
      const fresh = consumers[1] as FakeConsumer;
      expect(fresh.calls).toEqual(['connect', `subscribe ${TOPIC.name}`, 'run']);
      expect(logger.lines.filter((line) => line.startsWith('warn '))).toEqual([
        `warn Lease ${TOPIC.name}: no word from the group coordinator for ${REJOIN_MS} ms (no join, no heartbeat); ` +
          'leaving the group and joining again as a new member',
      ]);
      // The old member's events no longer count; the new member's do.
      consumer.joined([0]);
      expect(lease.isHeld()).toBe(false);
      fresh.joined([0]);
      expect(lease.isHeld()).toBe(true);
    });

    it('joins again when a rebalance ends in no join while heartbeats still come (kafkajs kept its old generation)', async () => {
      const { consumer, consumers, watchdog, clock, lease, logger } = setup();
      await lease.start();
      consumer.joined([0]);
      consumer.emit(EVENTS.REBALANCING);
      for (let waited = 0; waited < REJOIN_MS; waited += SESSION_MS / 2) {
        clock.now += SESSION_MS / 2;
        consumer.emit(EVENTS.HEARTBEAT);
        if (waited + SESSION_MS / 2 < REJOIN_MS) watchdog.task?.();
      }
      await settle();
      expect(consumers).toHaveLength(1);
      expect(lease.state()).toBe('standby');

      watchdog.task?.();
      await settle();

      expect(consumers).toHaveLength(2);
      expect(logger.lines.filter((line) => line.startsWith('warn '))).toEqual([
        expect.stringContaining(
          `Lease ${TOPIC.name}: no join for ${REJOIN_MS} ms since the member left its generation`,
        ),
      ]);
      (consumers[1] as FakeConsumer).joined([0]);
      expect(lease.isHeld()).toBe(true);
    });

    it('leaves a member alone that joins again after a rebalance', async () => {
      const { consumer, consumers, watchdog, clock, lease } = setup();
      await lease.start();
      consumer.joined([0]);
      consumer.emit(EVENTS.REBALANCING);
      clock.now += REJOIN_MS / 2;
      consumer.joined([0]);
      clock.now += REJOIN_MS / 2;
      consumer.emit(EVENTS.HEARTBEAT);
      watchdog.task?.();
      await settle();
      expect(consumers).toHaveLength(1);
      expect(lease.isHeld()).toBe(true);
    });

    it('joins again after one session when the old consumer does not finish leaving', async () => {
      jest.useFakeTimers();
      try {
        const { consumer, consumers, watchdog, clock, lease } = setup();
        await lease.start();
        consumer.disconnect = () => new Promise<void>(() => undefined);
        clock.now += REJOIN_MS;
        watchdog.task?.();
        await jest.advanceTimersByTimeAsync(SESSION_MS - 1);
        expect(consumers).toHaveLength(1);
        await jest.advanceTimersByTimeAsync(1);
        expect(consumers).toHaveLength(2);
      } finally {
        jest.useRealTimers();
      }
    });

    it('tries again after another silence when joining again fails, logging the error', async () => {
      const { consumers, watchdog, clock, lease, logger } = setup();
      await lease.start();
      clock.now += REJOIN_MS;
      watchdog.task?.();
      await settle();
      const second = consumers[1] as FakeConsumer;
      expect(second.calls).toEqual(['connect', `subscribe ${TOPIC.name}`, 'run']);
      // The next member's connect fails.
      clock.now += REJOIN_MS;
      const failing = FakeConsumer.prototype.connect;
      FakeConsumer.prototype.connect = async function (this: FakeConsumer) {
        this.calls.push('connect');
        throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
      };
      try {
        watchdog.task?.();
        await settle();
      } finally {
        FakeConsumer.prototype.connect = failing;
      }
      expect(consumers).toHaveLength(3);
      expect(logger.lines.filter((line) => line.startsWith('error '))).toEqual([
        expect.stringContaining(`Lease ${TOPIC.name}: joining again failed (`),
      ]);
      clock.now += REJOIN_MS;
      watchdog.task?.();
      await settle();
      expect(consumers).toHaveLength(4);
    });

    it('stops watching on stop, and a stop during a rejoin leaves no member behind', async () => {
      const { consumers, watchdog, clock, lease } = setup();
      await lease.start();
      clock.now += REJOIN_MS;
      watchdog.task?.();
      await lease.stop();
      await settle();
      expect(watchdog.stopped).toBe(true);
      for (const member of consumers) expect(member.calls.at(-1)).toBe('disconnect');
      expect(lease.state()).toBe('stopped');
    });
  });

  it('leaves the group on stop, and stops listening', async () => {
    const { consumer, lease, changes } = setup();
    await lease.start();
    consumer.joined([0]);
    await lease.stop();
    await lease.stop();
    expect(consumer.calls.filter((c) => c === 'disconnect')).toHaveLength(1);
    expect(lease.state()).toBe('stopped');
    consumer.joined([0]);
    expect(lease.isHeld()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('keeps notifying the other listeners when one throws, and logs it', async () => {
    const { consumer, lease, changes, logger } = setup();
    lease.onChange(() => {
      throw new Error('listener bug');
    });
    await lease.start();
    consumer.joined([0]);
    expect(changes).toEqual([true]);
    expect(logger.lines.some((line) => line.includes('listener bug'))).toBe(true);
  });

  describe('when the cluster is not ready at start-up', () => {
    const notHosted = () =>
      Object.assign(new Error('This server does not host this topic-partition'), {
        name: 'KafkaJSProtocolError',
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        retriable: true,
      });

    it('creates its topic and joins again until the cluster answers', async () => {
      const { consumer, admin, lease, logger } = setup({ startupBudgetMs: 60_000 });
      admin.errors.push(notHosted());
      let refusals = 1;
      const connect = consumer.connect.bind(consumer);
      consumer.connect = async () => {
        await connect();
        if (refusals-- > 0)
          throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
      };

      await lease.start();

      expect(admin.ensured).toEqual([TOPIC.name]);
      expect(consumer.calls).toEqual(['connect', 'connect', `subscribe ${TOPIC.name}`, 'run']);
      expect(logger.lines.filter((line) => line.startsWith('warn '))).toEqual([
        expect.stringContaining(`start-up tries creating topics ${TOPIC.name} again`),
        expect.stringContaining(`start-up tries joining lease group ${TOPIC.name} again`),
      ]);
      expect(lease.state()).toBe('joining');
    });
  });

  it('fails start with our error and ends up stopped when the cluster is unreachable', async () => {
    const { consumer, lease } = setup();
    consumer.connect = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'KafkaJSConnectionError' });
    };
    await expect(lease.start()).rejects.toMatchObject({ code: 'KAFKA_UNAVAILABLE', retriable: true });
    expect(lease.state()).toBe('stopped');
  });
});
