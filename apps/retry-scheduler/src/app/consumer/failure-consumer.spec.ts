import {
  TopicNames,
  type BatchConsumer,
  type BatchConsumerOptions,
  type ConsumedMessage,
  type TopicSpec,
} from '@smartlink/messaging';
import { LoggerDouble } from '../../../test/support/scheduler-doubles';
import { FailureConsumer } from './failure-consumer';

class ConsumerDouble {
  constructor(readonly options: BatchConsumerOptions) {}
  async start() {
    return undefined;
  }
}

function record(key: string): ConsumedMessage {
  return {
    topic: 'ns.events',
    partition: 0,
    offset: '0',
    key,
    value: Buffer.from('{}'),
    headers: {},
    timestamp: 0,
  };
}

function setup() {
  const journal: string[] = [];
  const consumers: ConsumerDouble[] = [];
  const failureConsumer = new FailureConsumer({
    client: {
      topics: new TopicNames('ns'),
      topicSpec: (name: string): TopicSpec => ({ name, partitions: 6 }),
      createConsumer: (options: BatchConsumerOptions) => {
        const consumer = new ConsumerDouble(options);
        consumers.push(consumer);
        return consumer as unknown as BatchConsumer;
      },
    },
    admin: { ensureTopicsAtStartup: async () => ({ created: [], existing: [] }) },
    handler: {
      handle: async (records: readonly ConsumedMessage[]) =>
        void journal.push(`handle ${records.map((r) => r.key).join(',')}`),
    },
    settings: { maxBatchSize: 100, partitionsConsumedConcurrently: 1 },
    hold: {
      // Plays the hold: the database was down once, so the work runs after a heartbeat.
      run: async (work: () => Promise<void>, heartbeat: () => Promise<void>) => {
        journal.push('hold');
        await heartbeat();
        await work();
      },
      stop: () => void journal.push('hold stopped'),
    },
    logger: new LoggerDouble(),
  });
  return { failureConsumer, consumers, journal };
}

describe('FailureConsumer', () => {
  it('runs each chunk through the database outage hold, heartbeating through the consumer', async () => {
    const { failureConsumer, consumers, journal } = setup();
    await failureConsumer.onApplicationBootstrap();

    await consumers[0]?.options.handler([record('a'), record('b')], {
      topic: 'ns.events',
      partition: 0,
      heartbeat: async () => void journal.push('heartbeat'),
      commit: async () => undefined,
    });

    expect(journal).toEqual(['hold', 'heartbeat', 'handle a,b']);
  });

  it('lets go of held chunks when the module is destroyed, before the consumer stops', () => {
    const { failureConsumer, journal } = setup();
    failureConsumer.onModuleDestroy();
    expect(journal).toEqual(['hold stopped']);
  });
});
