import {
  SmartLinkHeaders,
  TopicNames,
  type BatchConsumer,
  type BatchConsumerOptions,
  type ConsumedMessage,
  type TopicSpec,
} from '@smartlink/messaging';
import { LoggerDouble } from '../../../test/support/downstream-doubles';
import { ExecutorConsumers } from './executor-consumers';

class ConsumerDouble {
  running = false;
  constructor(readonly options: BatchConsumerOptions) {}
  get groupId() {
    return this.options.groupId;
  }
  async start() {
    this.running = true;
  }
  isRunning() {
    return this.running;
  }
}

const keys = (records: readonly ConsumedMessage[]) => records.map((r) => r.key).join(',');

function record(key: string, schema?: string, topic = 'ns.events'): ConsumedMessage {
  return {
    topic,
    partition: 0,
    offset: '0',
    key,
    value: Buffer.from('{}'),
    headers: schema === undefined ? {} : { [SmartLinkHeaders.schema]: schema },
    timestamp: 0,
  };
}

const context = {
  topic: 'ns.events',
  partition: 0,
  heartbeat: async () => undefined,
  commit: async () => undefined,
};

function setup() {
  const journal: string[] = [];
  const held: string[] = [];
  const consumers: ConsumerDouble[] = [];
  const handled: string[] = [];
  const executor = new ExecutorConsumers({
    client: {
      topics: new TopicNames('ns'),
      topicSpec: (name: string): TopicSpec => ({ name, partitions: 6 }),
      createConsumer: (options: BatchConsumerOptions) => {
        journal.push(`create ${options.groupId}`);
        const consumer = new ConsumerDouble(options);
        consumers.push(consumer);
        return consumer as unknown as BatchConsumer;
      },
    },
    admin: {
      ensureTopicsAtStartup: async (specs: readonly TopicSpec[]) => {
        journal.push(`ensure ${specs.map((s) => s.name).join(' ')}`);
        return { created: [], existing: [] };
      },
    },
    received: {
      handle: async (records: readonly ConsumedMessage[]) => void handled.push(`received:${keys(records)}`),
    },
    retryDue: {
      handle: async (records: readonly ConsumedMessage[]) => void handled.push(`retry-due:${keys(records)}`),
    },
    outcomes: {
      handle: async (records: readonly ConsumedMessage[]) => void handled.push(`outcomes:${keys(records)}`),
    },
    outbound: {
      handle: async (records: readonly ConsumedMessage[]) => void handled.push(`outbound:${keys(records)}`),
    },
    settings: {
      events: { maxBatchSize: 500, partitionsConsumedConcurrently: 3 },
      outcomes: { maxBatchSize: 200, partitionsConsumedConcurrently: 2 },
      outbound: { maxBatchSize: 50, partitionsConsumedConcurrently: 1 },
    },
    hold: {
      run: async (work: () => Promise<void>) => {
        held.push('run');
        await work();
      },
      stop: () => void held.push('stop'),
    },
    logger: new LoggerDouble(),
  });
  return { executor, journal, consumers, handled, held };
}

describe('ExecutorConsumers', () => {
  it('is not ready before start-up', () => {
    const { executor } = setup();
    expect(executor.eventsConsumer.isRunning()).toBe(false);
    expect(executor.outcomesConsumer.isRunning()).toBe(false);
    expect(executor.eventsConsumer.groupId).toBe('ns.executor.events');
  });

  it('ensures every topic it uses, then joins its three groups with their tuning', async () => {
    const { executor, journal, consumers } = setup();

    await executor.onApplicationBootstrap();

    expect(journal).toEqual([
      'ensure ns.received ns.events ns.outcomes ns.outbound ns.logs ns.deadletter',
      'create ns.executor.events',
      'create ns.executor.outcomes',
      'create ns.executor.outbound',
    ]);
    expect(
      consumers.map((c) => [
        c.options.topics,
        c.options.maxBatchSize,
        c.options.partitionsConsumedConcurrently,
      ]),
    ).toEqual([
      [['ns.received', 'ns.events'], 500, 3],
      [['ns.outcomes'], 200, 2],
      [['ns.outbound'], 50, 1],
    ]);
    expect(executor.eventsConsumer.isRunning()).toBe(true);
    expect(executor.outcomesConsumer.isRunning()).toBe(true);
    expect(executor.outboundConsumer.isRunning()).toBe(true);
    expect(executor.outboundConsumer.groupId).toBe('ns.executor.outbound');
  });

  it('hands retry-due events to the retry path and every other event to the received projection', async () => {
    const { executor, consumers, handled } = setup();
    await executor.onApplicationBootstrap();

    await consumers[0]?.options.handler(
      [
        record('a', 'event/received/v1'),
        record('b', 'event/retry-due/v1'),
        record('c'),
        record('d', 'event/dispatched/v1'),
        record('e', 'event/retry-due/v1'),
      ],
      context,
    );
    await consumers[0]?.options.handler([record('f', 'event/received/v1')], context);
    await consumers[1]?.options.handler([record('g')], context);
    await consumers[2]?.options.handler([record('h')], context);

    expect(handled).toEqual(['received:a,c,d', 'retry-due:b,e', 'received:f', 'outcomes:g', 'outbound:h']);
  });

  it('hands the received events of <ns>.received to the received projection, in the same group', async () => {
    const { executor, consumers, handled } = setup();
    await executor.onApplicationBootstrap();

    await consumers[0]?.options.handler(
      [record('a', 'event/received/v1', 'ns.received'), record('b', 'event/received/v1', 'ns.received')],
      { ...context, topic: 'ns.received' },
    );

    expect(handled).toEqual(['received:a,b']);
  });

  it('runs every chunk of its three groups through the database outage hold, and lets go of it on shutdown', async () => {
    const { executor, consumers, held } = setup();
    await executor.onApplicationBootstrap();

    for (const consumer of consumers) await consumer.options.handler([record('a')], context);
    executor.onModuleDestroy();

    expect(held).toEqual(['run', 'run', 'run', 'stop']);
  });
});
