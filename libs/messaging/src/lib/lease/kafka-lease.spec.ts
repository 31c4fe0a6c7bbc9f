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
    createConsumer: (a) => {
      assigner = a;
      return consumer as unknown as LeaseConsumerPort;
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
  return { consumer, clock, admin, lease, changes, claim, logger };
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
