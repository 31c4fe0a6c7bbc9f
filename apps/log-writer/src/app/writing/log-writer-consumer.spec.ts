import { TopicNames, type BatchConsumerOptions, type TopicSpec } from '@smartlink/messaging';
import { LogWriterConsumer } from './log-writer-consumer';

function setup() {
  const ensured: TopicSpec[][] = [];
  const created: BatchConsumerOptions[] = [];
  const consumer = {
    groupId: 'ns.log-writer',
    start: jest.fn(async () => undefined),
    isRunning: () => true,
  };
  const handler = { handle: jest.fn(async () => undefined), stop: jest.fn() };
  const gate = { attach: jest.fn() };
  const subject = new LogWriterConsumer({
    client: {
      topics: new TopicNames('ns'),
      topicSpec: (name) => ({ name, partitions: 3 }),
      createConsumer: (options) => {
        created.push(options);
        return consumer as never;
      },
    },
    admin: {
      ensureTopicsAtStartup: async (specs) => {
        ensured.push([...specs]);
        return { created: [] } as never;
      },
    },
    handler,
    gate,
    settings: { maxBatchSize: 2_000, partitionsConsumedConcurrently: 2 },
    logger: { log: jest.fn() },
  });
  return { subject, ensured, created, consumer, handler, gate };
}

describe('LogWriterConsumer', () => {
  it('is not running before start-up', () => {
    const { subject } = setup();
    expect(subject.state.isRunning()).toBe(false);
    expect(subject.state.groupId).toBe('ns.log-writer');
  });

  it('ensures the logs topic, then consumes it as <ns>.log-writer in chunks of the batch size', async () => {
    const { subject, ensured, created, consumer, gate } = setup();

    await subject.onApplicationBootstrap();

    expect(ensured).toEqual([[{ name: 'ns.logs', partitions: 3 }]]);
    expect(created).toEqual([
      expect.objectContaining({
        groupId: 'ns.log-writer',
        topics: ['ns.logs'],
        maxBatchSize: 2_000,
        partitionsConsumedConcurrently: 2,
      }),
    ]);
    expect(gate.attach).toHaveBeenCalledWith(consumer);
    expect(consumer.start).toHaveBeenCalled();
    expect(subject.state).toBe(consumer);
  });

  it('hands each chunk to the handler with its context', async () => {
    const { subject, created, handler } = setup();
    await subject.onApplicationBootstrap();
    const context = {
      topic: 'ns.logs',
      partition: 0,
      heartbeat: async () => undefined,
      commit: async () => undefined,
    };

    await created[0]?.handler([], context);

    expect(handler.handle).toHaveBeenCalledWith([], context);
  });

  it('stops the handler waiting for the database before Kafka stops the consumers', () => {
    const { subject, handler } = setup();
    subject.onModuleDestroy();
    expect(handler.stop).toHaveBeenCalled();
  });
});
