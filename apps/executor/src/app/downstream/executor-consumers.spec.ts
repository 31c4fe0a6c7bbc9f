import {
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

function setup() {
  const journal: string[] = [];
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
      ensureTopics: async (specs: readonly TopicSpec[]) => {
        journal.push(`ensure ${specs.map((s) => s.name).join(' ')}`);
        return { created: [], existing: [] };
      },
    },
    received: {
      handle: async (records: readonly ConsumedMessage[]) => void handled.push(`events:${records.length}`),
    },
    outcomes: {
      handle: async (records: readonly ConsumedMessage[]) => void handled.push(`outcomes:${records.length}`),
    },
    settings: {
      events: { maxBatchSize: 500, partitionsConsumedConcurrently: 3 },
      outcomes: { maxBatchSize: 200, partitionsConsumedConcurrently: 2 },
    },
    logger: new LoggerDouble(),
  });
  return { executor, journal, consumers, handled };
}

describe('ExecutorConsumers', () => {
  it('is not ready before start-up', () => {
    const { executor } = setup();
    expect(executor.eventsConsumer.isRunning()).toBe(false);
    expect(executor.outcomesConsumer.isRunning()).toBe(false);
    expect(executor.eventsConsumer.groupId).toBe('ns.executor.events');
  });

  it('ensures every topic it uses, then joins its two groups with their tuning', async () => {
    const { executor, journal, consumers, handled } = setup();

    await executor.onApplicationBootstrap();

    expect(journal).toEqual([
      'ensure ns.events ns.outcomes ns.logs ns.deadletter',
      'create ns.executor.events',
      'create ns.executor.outcomes',
    ]);
    expect(
      consumers.map((c) => [
        c.options.topics,
        c.options.maxBatchSize,
        c.options.partitionsConsumedConcurrently,
      ]),
    ).toEqual([
      [['ns.events'], 500, 3],
      [['ns.outcomes'], 200, 2],
    ]);
    await consumers[0]?.options.handler([], {
      topic: 'ns.events',
      partition: 0,
      heartbeat: async () => undefined,
    });
    await consumers[1]?.options.handler([], {
      topic: 'ns.outcomes',
      partition: 0,
      heartbeat: async () => undefined,
    });
    expect(handled).toEqual(['events:0', 'outcomes:0']);
    expect(executor.eventsConsumer.isRunning()).toBe(true);
    expect(executor.outcomesConsumer.isRunning()).toBe(true);
  });
});
